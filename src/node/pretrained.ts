/** Loading a timm encoder from a folder in the Hugging Face hub's layout (e.g. a downloaded Zoobot encoder). */
import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { parseTimmConfig, timmEncoder, type TimmEncoderOptions } from '../pretrained/encoder.js';
import { readSafetensors } from '../pretrained/safetensors.js';
import { readTorchZip } from '../pretrained/torchZip.js';
import { type TensorDict } from '../pretrained/tensors.js';

/** Weight files in the order they are tried: safetensors first (no pickle at all), then PyTorch's zip. */
const WEIGHT_FILES: ReadonlyArray<readonly [string, (bytes: Uint8Array, source: string) => TensorDict]> = [
  ['model.safetensors', readSafetensors],
  ['pytorch_model.bin', readTorchZip],
];

/** Reads a file, or `undefined` when it does not exist. */
async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Loads a timm encoder saved in the hub's layout: `config.json` plus `model.safetensors` (preferred)
 * or `pytorch_model.bin`. The architecture comes from the config; depths, widths and input channels
 * from the weights.
 *
 * @param dir - The folder (e.g. a `huggingface-cli download` of `mwalmsley/zoobot-encoder-convnext_nano`).
 * @param options - Image size and optional colour-to-greyscale conversion.
 * @returns A model mapping `[batch, H, W, C]` images in [0, 1] to `[batch, num_features]` pooled features.
 * @throws DataError naming the file when `config.json` or both weight files are missing, the architecture
 *   is not supported, or a weight file is malformed or does not fit the architecture.
 * @example
 * ```ts
 * const encoder = await loadPretrainedEncoder('models/zoobot-encoder-convnext_nano', { imageSize: 224 });
 * const features = encoder.predict(images) as tf.Tensor2D; // [batch, 640]
 * ```
 */
export async function loadPretrainedEncoder(dir: string, options: TimmEncoderOptions = {}): Promise<tf.LayersModel> {
  const configPath = join(dir, 'config.json');
  const configBytes = await readIfPresent(configPath);
  if (configBytes === undefined) throw new DataError('missing: not a timm hub folder', { file: configPath });
  const config = parseTimmConfig(new TextDecoder().decode(configBytes), configPath);
  for (const [name, read] of WEIGHT_FILES) {
    const path = join(dir, name);
    const bytes = await readIfPresent(path);
    if (bytes !== undefined) return timmEncoder(config, read(bytes, path), { config: configPath, weights: path }, options);
  }
  throw new DataError(`no weights: neither ${WEIGHT_FILES.map(([n]) => n).join(' nor ')} is present`, { file: dir });
}
