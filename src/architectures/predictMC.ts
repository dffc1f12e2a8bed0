/** Monte Carlo dropout prediction (W+20, W+21) without rebuilding or retraining-mode side effects. */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { applyDihedral, DIHEDRAL_ORDER } from './dihedral.js';
import { McDropout } from './layers/mcDropout.js';
import { flattenLayers } from './layers/flattenLayers.js';
import { RandomAugmentation } from './layers/augmentation/base.js';

/** Which stochastic layers stay active at prediction time. */
export interface McMode {
  /** Dropout and drop-connect ({@link McDropout}, `DropConnect`). */
  readonly dropout: boolean;
  /** Random augmentations (test-time augmentation). @defaultValue false */
  readonly augmentation?: boolean;
}


/**
 * Switches MC sampling on or off for every {@link McDropout}/`DropConnect` (and optionally every random
 * augmentation) layer of `model`. Batch normalisation keeps its inference statistics either way.
 *
 * @param model - A model containing zoobot-ts layers.
 * @param mode - What to keep stochastic; `{ dropout: false }` restores deterministic inference.
 * @returns The previous setting, to restore later.
 */
export function setMcMode(model: tf.LayersModel, mode: McMode): McMode {
  const layers = flattenLayers(model);
  const previous = {
    dropout: layers.some((l) => l instanceof McDropout && l.mcActive),
    augmentation: layers.some((l) => l instanceof RandomAugmentation && l.mcActive),
  };
  for (const layer of layers) {
    if (layer instanceof McDropout) layer.mcActive = mode.dropout;
    if (layer instanceof RandomAugmentation) layer.mcActive = mode.augmentation ?? false;
  }
  return previous;
}

/** Options of {@link predictMC}. */
export interface PredictMcOptions {
  /**
   * `'full'`: every pass runs the whole network with dropout and drop-connect on.
   * `'head'`: the trunk runs once and only the layers from the last MC dropout layer on are sampled
   * (cheaper; ignores drop-connect, so it underestimates the spread of full MC).
   * @defaultValue 'full'
   */
  readonly mode?: 'full' | 'head';
  /** Also sample random augmentations (full mode only). @defaultValue false */
  readonly augment?: boolean;
  /**
   * Test-time augmentation by the symmetries of the square: pass `p` sees the images under element
   * `p mod 8` of D4 ({@link applyDihedral}), so 8 passes cover every flip and quarter turn once
   * (full mode, square images). @defaultValue false
   */
  readonly dihedral?: boolean;
  /** Batch size of `model.predict`. @defaultValue 32 */
  readonly batchSize?: number;
}

/**
 * Runs `passes` stochastic forward passes with MC dropout kept on.
 *
 * @param model - A model built by zoobot-ts (or any model with {@link McDropout} layers).
 * @param x - Images `[batch, h, w, c]`.
 * @param passes - Number of forward passes (zoobot: 5).
 * @param options - See {@link PredictMcOptions}.
 * @returns Model outputs per pass, `[passes, batch, outputs]` (Dirichlet concentrations for a zoobot model).
 * @example
 * ```ts
 * const conc = predictMC(model, images, 5); // [5, batch, 34]
 * ```
 */
export function predictMC(model: tf.LayersModel, x: tf.Tensor, passes: number, options: PredictMcOptions = {}): tf.Tensor {
  const { mode = 'full', augment = false, dihedral = false, batchSize = 32 } = options;
  if (!Number.isInteger(passes) || passes < 1) throw new ConfigError(`predictMC: passes must be a positive integer, got ${passes}`);
  if (mode !== 'full' && mode !== 'head') throw new ConfigError(`predictMC: unsupported mode "${String(mode)}". Should be one of: full, head`);
  if (dihedral && mode !== 'full') throw new ConfigError('predictMC: dihedral test-time augmentation needs mode "full"');
  const previous = setMcMode(model, { dropout: true, augmentation: augment && mode === 'full' });
  try {
    return mode === 'full'
      ? tf.tidy(() => tf.stack(Array.from({ length: passes }, (_, p) => {
        const input = dihedral ? applyDihedral(x as tf.Tensor4D, p % DIHEDRAL_ORDER) : x;
        return model.predict(input, { batchSize }) as tf.Tensor;
      })))
      : predictHeadOnly(model, x, passes, batchSize);
  } finally {
    setMcMode(model, previous);
  }
}

/** Head-only MC: trunk once, then `passes` samples of the chain that starts at the last MC dropout layer. */
function predictHeadOnly(model: tf.LayersModel, x: tf.Tensor, passes: number, batchSize: number): tf.Tensor {
  const index = model.layers.map((l) => l.constructor === McDropout).lastIndexOf(true);
  const dropout = model.layers[index];
  if (dropout === undefined) throw new ConfigError(`predictMC: model '${model.name}' has no McDropout layer for head-only mode`);
  const tail = model.layers.slice(index);
  const isChain = tail.every((layer, i) => i === 0 || layer.input === tail[i - 1]!.output);
  if (!isChain || model.outputs.length !== 1 || tail[tail.length - 1]?.output !== model.outputs[0]) {
    throw new ConfigError(`predictMC: head-only mode needs a single chain of layers from '${dropout.name}' to the output of '${model.name}'`);
  }
  const trunk = tf.model({ inputs: model.inputs, outputs: dropout.input as tf.SymbolicTensor });
  return tf.tidy(() => {
    const features = trunk.predict(x, { batchSize }) as tf.Tensor;
    return tf.stack(Array.from({ length: passes }, () => tail.reduce((h, layer) => layer.apply(h, { training: false }) as tf.Tensor, features)));
  });
}
