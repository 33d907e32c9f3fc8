import { threadPoolSize } from './_thread-pool.js';

describe('threadPoolSize (the launcher sizes libuv’s pool for anonymize runs)', () => {
  it('gives anonymize one pool thread per core left beside the JavaScript thread, between 1 and Node’s default 4', () => {
    expect(threadPoolSize(['anonymize', 'in', '-o', 'out'], 1, {})).toBe(1);
    expect(threadPoolSize(['anonymize', 'in', '-o', 'out'], 2, {})).toBe(1);
    expect(threadPoolSize(['anonymize', 'in', '-o', 'out'], 3, {})).toBe(2);
    expect(threadPoolSize(['anonymize', 'in', '-o', 'out'], 5, {})).toBe(4);
    expect(threadPoolSize(['anonymize', 'in', '-o', 'out'], 64, {})).toBe(4);
  });

  it('finds batch anonymize with batch’s options before or after the operation', () => {
    expect(threadPoolSize(['batch', 'anonymize', 'in', '-o', 'out'], 2, {})).toBe(1);
    expect(threadPoolSize(['batch', '-o', 'out', '--jobs', '1', 'anonymize', 'in'], 2, {})).toBe(1);
  });

  it('leaves every other command, and a pool size the user set, alone', () => {
    expect(threadPoolSize(['batch', 'convert', 'in', '-o', 'out'], 2, {})).toBeUndefined();
    expect(threadPoolSize(['storage-scp', '--port', '0'], 2, {})).toBeUndefined();
    expect(threadPoolSize(['info', 'anonymize'], 2, {})).toBeUndefined();
    expect(threadPoolSize([], 2, {})).toBeUndefined();
    expect(threadPoolSize(['anonymize', 'in'], 2, { UV_THREADPOOL_SIZE: '8' })).toBeUndefined();
    expect(threadPoolSize(['anonymize', 'in'], 2, { UV_THREADPOOL_SIZE: '' })).toBe(1);
  });
});
