import { threadPoolSize } from './_thread-pool.js';

describe('threadPoolSize (the launcher sizes libuv’s pool to the machine)', () => {
  it('gives one pool thread per core left beside the JavaScript thread, between 1 and Node’s default 4', () => {
    expect(threadPoolSize(1, {})).toBe(1);
    expect(threadPoolSize(2, {})).toBe(1);
    expect(threadPoolSize(3, {})).toBe(2);
    expect(threadPoolSize(4, {})).toBe(3);
    expect(threadPoolSize(5, {})).toBe(4);
    expect(threadPoolSize(64, {})).toBe(4);
  });

  it('leaves a pool size the user set alone', () => {
    expect(threadPoolSize(2, { UV_THREADPOOL_SIZE: '8' })).toBeUndefined();
    expect(threadPoolSize(2, { UV_THREADPOOL_SIZE: '' })).toBe(1);
  });
});
