/**
 * Entry point of an image-decoding worker thread (see `decodePool`): decodes the files it is
 * sent with {@link decodeImageFile} and posts the pixels back, transferring their buffer.
 *
 * @module node/decodeWorker
 */
import { parentPort } from 'node:worker_threads';
import type { DataLocation } from '../errors.js';
import { decodeImageFile, type DecodeImageOptions } from './images.js';

/** A decode request from the pool. */
export interface DecodeRequest {
  readonly id: number;
  readonly path: string;
  readonly options: DecodeImageOptions;
}

/** The worker's answer: pixels, or the error as plain data (class instances do not cross threads). */
export type DecodeResponse =
  | { readonly id: number; readonly data: Uint8Array; readonly width: number; readonly height: number; readonly channels: number }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly location: DataLocation } };

parentPort?.on('message', (request: DecodeRequest) => {
  decodeImageFile(request.path, request.options).then(
    (image) => {
      // sharp's output may be a view into a pooled buffer: copy so that only this image is transferred.
      const data = image.data.byteOffset === 0 && image.data.byteLength === image.data.buffer.byteLength ? image.data : image.data.slice();
      const response: DecodeResponse = { id: request.id, data, width: image.width, height: image.height, channels: image.channels };
      parentPort?.postMessage(response, [data.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const { name = 'Error', message = String(error), file, row, column, offset } = error as Error & DataLocation;
      const location = Object.fromEntries(Object.entries({ file, row, column, offset }).filter(([, v]) => v !== undefined));
      const response: DecodeResponse = { id: request.id, error: { name, message, location } };
      parentPort?.postMessage(response);
    },
  );
});
