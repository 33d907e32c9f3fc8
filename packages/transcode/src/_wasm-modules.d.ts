// The cornerstone codecs ship no types: each `/wasmjs` entry is an Emscripten factory (CommonJS) resolving to the
// module object. Their classes are described structurally where they are used (_wasm.ts).
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (options?: object) => Promise<unknown>;
  export default factory;
}
