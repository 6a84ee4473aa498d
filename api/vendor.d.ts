// file-type is ESM whose `exports` the CommonJS resolution here (and jest's) reach only by its `./node` entry: the part used.
declare module 'file-type/node' {
  export function fileTypeFromBuffer(
    buffer: Uint8Array | ArrayBuffer,
  ): Promise<{ ext: string; mime: string } | undefined>;
}
