/**
 * From a timm hub repo's contents (its `config.json` and a state_dict) to a tf.layers encoder with
 * the weights loaded. Browser-safe: the caller supplies bytes or parsed tensors; reading a folder
 * lives in `zoobot-ts/node` (`loadPretrainedEncoder`).
 */
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import { convNeXtShapeFromTensors, timmConvNeXt } from './convnext.js';
import { efficientNetShapeFromTensors, timmEfficientNet } from './efficientnet.js';
import { resNetShapeFromTensors, timmResNet } from './resnet.js';
import { type TensorDict } from './tensors.js';
import { greyscaleStem, loadTimmWeights } from './timmWeights.js';

/** The fields of timm's `config.json` that the loader reads. */
export interface TimmConfig {
  /** timm model name, e.g. `convnext_nano`. */
  readonly architecture: string;
  /** Size of the pooled feature vector; checked against the built model when present. */
  readonly num_features?: number;
  /** timm's preprocessing and provenance record (its `input_size` may say 3 channels for a greyscale encoder; not used). */
  readonly pretrained_cfg?: Record<string, unknown>;
}

/** A timm model family zoobot-ts can build. */
interface Family {
  /** The names it covers, for messages. */
  readonly label: string;
  readonly pattern: RegExp;
  /** The stem convolution's weight: its shape gives the input channels. */
  readonly stemKey: string;
  readonly build: (tensors: TensorDict, source: string, imageSize: number | null) => tf.LayersModel;
}

const FAMILIES: readonly Family[] = [
  {
    label: 'convnext_*',
    pattern: /^convnext_/,
    stemKey: 'stem.0.weight',
    build: (tensors, source, imageSize) => timmConvNeXt({ ...convNeXtShapeFromTensors(tensors, source), imageSize }),
  },
  {
    // Plain timm ResNets only: the deep-stem and avg-down variants (resnet50d, ...) are not built.
    label: 'resnet<depth>',
    pattern: /^resnet\d+$/,
    stemKey: 'conv1.weight',
    build: (tensors, source, imageSize) => timmResNet({ ...resNetShapeFromTensors(tensors, source), imageSize }),
  },
  {
    // PyTorch-padded EfficientNets only; the tf_efficientnet_* ports pad like TensorFlow ('same').
    label: 'efficientnet_b0-b7',
    pattern: /^efficientnet_b\d$/,
    stemKey: 'conv_stem.weight',
    build: (tensors, source, imageSize) => timmEfficientNet({ ...efficientNetShapeFromTensors(tensors, source), imageSize }),
  },
];

/** Options of {@link timmEncoder}. */
export interface TimmEncoderOptions {
  /** Input height and width; `null` (default) accepts any size. Zoobot feeds 224 x 224 images scaled to [0, 1]. */
  readonly imageSize?: number | null;
  /** Set to 1 to make a colour (3-channel) encoder take greyscale input by summing its stem's RGB kernels. */
  readonly inChans?: 1;
}

/**
 * Parses and checks a timm `config.json`.
 *
 * @param text - The file's contents.
 * @param source - The file's name, for error messages.
 * @returns The config.
 * @throws DataError naming `source` when the text is not JSON or has no `architecture` string.
 */
export function parseTimmConfig(text: string, source: string): TimmConfig {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (cause) {
    throw new DataError('not valid JSON', { file: source }, { cause });
  }
  if (typeof (config as Partial<TimmConfig> | null)?.architecture !== 'string') {
    throw new DataError(`no "architecture" string: not a timm config`, { file: source });
  }
  return config as TimmConfig;
}

/**
 * Builds the encoder a timm config names and loads its state_dict. Depths and widths come from the
 * weights, and the input channels from the stem weight's shape (a greyscale encoder's config may
 * still say `input_size: [3, 224, 224]`).
 *
 * @param config - The parsed `config.json` ({@link parseTimmConfig}).
 * @param tensors - The state_dict (`readSafetensors` or `readTorchZip`).
 * @param sources - File names for error messages: the config's and the weights'.
 * @param options - Image size and optional colour-to-greyscale conversion.
 * @returns A model mapping `[batch, H, W, C]` images in [0, 1] to `[batch, num_features]` pooled features.
 * @throws DataError naming the config file for an unsupported architecture or a `num_features` the weights
 *   contradict, or naming the weights file and tensor when the state_dict does not fit.
 * @example
 * ```ts
 * const encoder = timmEncoder(parseTimmConfig(configText, 'config.json'), readSafetensors(bytes, 'model.safetensors'),
 *   { config: 'config.json', weights: 'model.safetensors' }, { imageSize: 224 });
 * ```
 */
export function timmEncoder(
  config: TimmConfig,
  tensors: TensorDict,
  sources: { readonly config: string; readonly weights: string },
  options: TimmEncoderOptions = {},
): tf.LayersModel {
  const family = FAMILIES.find((f) => f.pattern.test(config.architecture));
  if (family === undefined) {
    throw new DataError(
      `architecture '${config.architecture}' is not supported (supported: ${FAMILIES.map((f) => f.label).join(', ')})`,
      { file: sources.config },
    );
  }
  const weights = options.inChans === 1 && tensors.get(family.stemKey)?.shape[1] === 3
    ? greyscaleStem(tensors, family.stemKey, sources.weights)
    : tensors;
  const model = family.build(weights, sources.weights, options.imageSize ?? null);
  const features = model.outputs[0]?.shape.at(-1);
  if (config.num_features !== undefined && features !== config.num_features) {
    model.dispose();
    throw new DataError(`num_features is ${config.num_features} but the weights give ${features} features`, { file: sources.config });
  }
  try {
    loadTimmWeights(model, weights, sources.weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
