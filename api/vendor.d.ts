// file-type is ESM with `exports` types that the CommonJS resolution of this project cannot reach: the part used here.
declare module 'file-type' {
  export function fileTypeFromBuffer(buffer: Uint8Array | ArrayBuffer): Promise<{ ext: string; mime: string } | undefined>;
}
