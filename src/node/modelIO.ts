/** A file-system IOHandler for tfjs models that needs no tfjs-node. */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { writeFileAtomic } from './atomicFile.js';
import { loadKerasWeights, type LoadKerasWeightsOptions } from '../architectures/kerasWeights.js';

/** File names written by {@link fileSystemHandler}. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * An IOHandler that saves a model as `model.json` + `weights.bin` in `dir` (the layout of tfjs's
 * `file://` handler) and loads it back. Works with `model.save`, `tf.loadLayersModel`,
 * `saveZoobotModel` and `loadZoobotModel`.
 *
 * @param dir - Directory; created on save when missing.
 * @returns The handler.
 * @example
 * ```ts
 * await saveZoobotModel(model, fileSystemHandler('runs/b0'));
 * const { model, schema } = await loadZoobotModel(fileSystemHandler('runs/b0'));
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  const jsonPath = join(dir, MODEL_JSON);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new DataError('fileSystemHandler: binary model topologies are not supported', { file: jsonPath });
      }
      await mkdir(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const { weightData: _data, weightSpecs: _specs, ...rest } = artifacts;
      const modelJSON = { ...rest, weightsManifest: manifest } as tf.io.ModelJSON;
      // Weights first: model.json only ever points at a complete weights file.
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(jsonPath, JSON.stringify(modelJSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (cause) {
        throw new DataError(`cannot read the model: ${(cause as Error).message}`, { file: jsonPath }, { cause });
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(manifest.flatMap((group) => group.paths).map(async (p) => {
          const bytes = await readFile(join(dir, p));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        }));
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/**
 * Reads a Keras `.weights.h5` / `.h5` file from disk and assigns its weights to `model` by layer name.
 *
 * @param model - Target model (layer names as in Keras).
 * @param path - The HDF5 file.
 * @param options - See `LoadKerasWeightsOptions`.
 * @returns The names of the loaded layers.
 */
export async function loadKerasWeightsFile(model: tf.LayersModel, path: string, options: LoadKerasWeightsOptions = {}): Promise<string[]> {
  return loadKerasWeights(model, new Uint8Array(await readFile(path)), options);
}
