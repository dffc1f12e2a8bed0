import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../errors.js';
import { type LayerArgs, registerLayerClasses, singleTensor } from './register.js';

/** Arguments of {@link DirichletHead}. */
export interface DirichletHeadArgs extends LayerArgs {
  /** Multiplier of the sigmoid. @defaultValue 100 */
  scale?: number;
  /** Added after scaling, so outputs lie in (offset, offset + scale). @defaultValue 1 */
  offset?: number;
}

/**
 * The Dirichlet concentration activation `sigmoid(x) * scale + offset` (zoobot: `sigmoid(x) * 100 + 1`),
 * as a registered layer rather than a lambda so that saved models reload.
 * Input and output shape `[batch, answers]`; outputs lie in (1, 101) with the defaults.
 */
export class DirichletHead extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'DirichletHead';
  readonly scale: number;
  readonly offset: number;

  constructor(args: DirichletHeadArgs = {}) {
    super(args);
    this.scale = args.scale ?? 100;
    this.offset = args.offset ?? 1;
    if (!(this.scale > 0) || !Number.isFinite(this.offset)) {
      throw new ConfigError(`DirichletHead: scale must be > 0 and offset finite, got ${this.scale}, ${this.offset}`);
    }
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(tf.sigmoid(singleTensor(inputs, 'DirichletHead')), this.scale), this.offset));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

registerLayerClasses([DirichletHead]);

/** Creates a {@link DirichletHead} layer. */
export function dirichletHead(args: DirichletHeadArgs = {}): DirichletHead {
  return new DirichletHead(args);
}
