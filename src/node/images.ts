/**
 * Decoding PNG and JPEG galaxy images in Node: sharp (libvips) when installed, pngjs for PNG
 * otherwise. Greyscale is the channel mean, as in Zoobot, not a luminance weighting.
 *
 * @module node/images
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { ConfigError, DataError } from '../errors.js';

/** 8-bit pixels, row-major `[height, width, channels]`. */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Options of {@link decodeImageFile}. */
export interface DecodeImageOptions {
  /** Output channels: 1 (channel mean) or 3. @defaultValue the file's (alpha dropped) */
  readonly channels?: 1 | 3;
  /** Resize to `size` x `size` (needs sharp). */
  readonly size?: number;
}

type Sharp = typeof import('sharp');
let sharpModule: Sharp | null | undefined;

function loadSharp(): Sharp | null {
  if (sharpModule === undefined) {
    try {
      sharpModule = createRequire(import.meta.url)('sharp') as Sharp;
    } catch {
      sharpModule = null;
    }
  }
  return sharpModule;
}

/**
 * Decodes a PNG or JPEG file to 8-bit pixels.
 *
 * @throws `DataError` naming the file when it is missing, truncated or not an image.
 */
export async function decodeImageFile(path: string, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new DataError(`cannot read image (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { file: path }, { cause });
  }
  return decodeImageBytes(bytes, path, options);
}

/** {@link decodeImageFile} on bytes already in memory; `source` names them in errors. */
export async function decodeImageBytes(bytes: Uint8Array, source: string, options: DecodeImageOptions = {}): Promise<DecodedImage> {
  const sharp = loadSharp();
  let decoded: DecodedImage;
  if (sharp !== null) {
    try {
      let pipeline = sharp(bytes, { failOn: 'truncated' }).removeAlpha();
      if (options.size !== undefined) pipeline = pipeline.resize(options.size, options.size, { fit: 'fill' });
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      decoded = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
    } catch (cause) {
      throw new DataError(`not a readable PNG/JPEG image: ${(cause as Error).message}`, { file: source }, { cause });
    }
  } else {
    if (options.size !== undefined) throw new ConfigError(`decodeImage: resizing ${source} needs the optional package sharp (npm install sharp)`);
    decoded = decodePngWithoutSharp(bytes, source);
  }
  return options.channels === undefined ? decoded : toChannels(decoded, options.channels);
}

function decodePngWithoutSharp(bytes: Uint8Array, source: string): DecodedImage {
  if (!(bytes[0] === 0x89 && bytes[1] === 0x50)) {
    throw new DataError('is not a PNG; JPEG decoding needs the optional package sharp (npm install sharp)', { file: source });
  }
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return toChannels({ data: new Uint8Array(png.data), width: png.width, height: png.height, channels: 4 }, 3);
  } catch (cause) {
    throw new DataError(`not a readable PNG image: ${(cause as Error).message}`, { file: source }, { cause });
  }
}

/** Converts to 1 channel (mean of RGB) or 3 channels (grey repeated, alpha dropped). */
export function toChannels(image: DecodedImage, channels: 1 | 3): DecodedImage {
  const { data, width, height, channels: from } = image;
  if (from === channels) return image;
  const pixels = width * height;
  const out = new Uint8Array(pixels * channels);
  const colour = Math.min(from, 3);
  for (let p = 0; p < pixels; p += 1) {
    if (channels === 1) {
      let sum = 0;
      for (let c = 0; c < colour; c += 1) sum += data[p * from + c] ?? 0;
      out[p] = Math.round(sum / colour);
    } else {
      for (let c = 0; c < 3; c += 1) out[p * 3 + c] = data[p * from + (colour === 1 ? 0 : c)] ?? 0;
    }
  }
  return { data: out, width, height, channels };
}
