import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../errors.js';
import { type LayerArgs, LayerRng, registerLayerClasses, singleTensor } from './register.js';

/** Arguments of {@link McDropout}. */
export interface McDropoutArgs extends LayerArgs {
  /** Fraction of units dropped, in [0, 1). */
  rate: number;
  /** Seed of the layer's noise stream; successive calls still draw fresh masks. */
  seed?: number | null;
}

/**
 * Dropout that can stay on at prediction time (Monte Carlo dropout, W+20; zoobot's `PermaDropout`).
 *
 * It is active while training, like Keras `Dropout`, and also whenever {@link McDropout.mcActive}
 * is set, which {@link setMcMode} and `predictMC` toggle. MC sampling therefore never needs
 * `training: true`, which would also switch batch normalisation to batch statistics.
 */
export class McDropout extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'McDropout';
  /** Dropout rate. */
  readonly rate: number;
  /** Seed from the config, or `null`. */
  readonly seed: number | null;
  /** When true, dropout is applied at prediction time too. Not serialized. */
  mcActive = false;
  private readonly rng: LayerRng;

  constructor(args: McDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new ConfigError(`${new.target.className}: rate must be in [0, 1), got ${JSON.stringify(args.rate)}`);
    }
    this.rate = args.rate;
    this.seed = args.seed ?? null;
    this.rng = new LayerRng(this.seed);
    this.supportsMasking = true;
  }

  /** Noise shape for an input shape; `undefined` means one draw per element. */
  protected noiseShape(_shape: readonly number[]): number[] | undefined {
    return undefined;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs, this.getClassName());
      const active = this.mcActive || kwargs.training === true;
      if (!active || this.rate === 0) return tf.clone(x);
      return tf.dropout(x, this.rate, this.noiseShape(x.shape), this.rng.tfSeed());
    });
  }

  /** Restarts this layer's noise stream from `seed` (see `reseedModel`). */
  reseed(seed: number): void {
    this.rng.reseed(seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

/**
 * Drop-connect (stochastic depth) of EfficientNet residual branches: drops a whole sample's branch,
 * i.e. Keras `Dropout(rate, noise_shape=(None, 1, 1, 1))`, with the same MC switch as {@link McDropout}.
 */
export class DropConnect extends McDropout {
  /** @nocollapse */
  static override className = 'DropConnect';

  protected override noiseShape(shape: readonly number[]): number[] {
    return shape.map((d, i) => (i === 0 ? d : 1));
  }
}

registerLayerClasses([McDropout, DropConnect]);

/** Creates an {@link McDropout} layer. */
export function mcDropout(args: McDropoutArgs): McDropout {
  return new McDropout(args);
}

/** Creates a {@link DropConnect} layer. */
export function dropConnect(args: McDropoutArgs): DropConnect {
  return new DropConnect(args);
}
