/**
 * Seeded kernel initialisers, so that a model built twice from the same seed starts from the same weights.
 * A seeded tfjs initialiser gives the same values every time it is applied, so each layer gets its own
 * derived seed; without a seed the initialisers are tfjs's usual unseeded ones.
 */
import * as tf from '@tensorflow/tfjs';

/** A tfjs weight initialiser. */
export type Initializer = ReturnType<typeof tf.initializers.varianceScaling>;

/** Arguments of `tf.initializers.varianceScaling` other than the seed. */
export type VarianceScalingConfig = Omit<Parameters<typeof tf.initializers.varianceScaling>[0], 'seed'>;

/** Hands out one initialiser per layer; see {@link seededInitializers}. */
export interface SeededInitializers {
  /** The next derived seed, an integer in [1, 2³²), or `undefined` when there is no seed. */
  nextSeed(): number | undefined;
  /**
   * tfjs's default kernel initialiser of Conv2D, DepthwiseConv2D and Dense (Glorot normal), with the next
   * derived seed; without a seed, the identifier `'glorotNormal'`, which is exactly the layers' default.
   */
  glorotNormal(): Initializer | 'glorotNormal';
  /** `tf.initializers.varianceScaling(config)` with the next derived seed (unseeded without a seed). */
  varianceScaling(config: VarianceScalingConfig): Initializer;
}

const UINT32 = 2 ** 32;

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * A source of per-layer initialisers drawing from `seed`. The i-th derived seed is
 * `1 + (hash(seed, scope) + i) mod (2³² − 1)`: distinct for every call within one scope, never 0
 * (tfjs treats a truncated-normal seed of 0 as "unseeded"), and unrelated to the small seeds the
 * dropout layers use. Builders use different scopes so that, for example, a zoobot model's base and
 * head do not share seeds. Layers must ask in a fixed order for the same seed to give the same model.
 *
 * @param seed - The model seed; `undefined` gives tfjs's unseeded initialisers (today's behaviour).
 * @param scope - Names the builder, e.g. `'efficientnet'`; mixed into every derived seed.
 * @returns A fresh source whose counter starts at 0.
 * @example
 * ```ts
 * const init = seededInitializers(42, 'my_net');
 * tf.layers.conv2d({ filters: 8, kernelSize: 3, kernelInitializer: init.glorotNormal() });
 * ```
 */
export function seededInitializers(seed: number | undefined, scope: string): SeededInitializers {
  const base = seed === undefined ? 0 : fnv1a(`${seed}|${scope}`);
  let index = 0;
  const nextSeed = (): number | undefined => {
    if (seed === undefined) return undefined;
    const derived = 1 + ((base + index) % (UINT32 - 1));
    index += 1;
    return derived;
  };
  return {
    nextSeed,
    glorotNormal: () => {
      const s = nextSeed();
      return s === undefined ? 'glorotNormal' : tf.initializers.glorotNormal({ seed: s });
    },
    varianceScaling: (config) => {
      const s = nextSeed();
      return tf.initializers.varianceScaling(s === undefined ? config : { ...config, seed: s });
    },
  };
}
