import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../errors.js';
import { createRng, type Rng } from '../../data/synthetic/random.js';

/** A layer class that tfjs serialization can rebuild from its config. */
export type SerializableLayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer> & {
  className: string;
};

/**
 * Registers layer classes with tfjs serialization unless a class of the same name is already
 * registered. tfjs versions differ on duplicates (some overwrite, some throw), so registration
 * must be idempotent: layer modules call this at module scope and may be bundled twice.
 *
 * @param classes - Layer classes with a static `className`.
 */
export function registerLayerClasses(classes: readonly SerializableLayerClass[]): void {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const cls of classes) {
    if (!(cls.className in known)) tf.serialization.registerClass(cls);
  }
}

/** Constructor arguments of `tf.layers.Layer` (tfjs does not export `LayerArgs`). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The single tensor of a layer's `call` input. */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x === undefined || (Array.isArray(inputs) && inputs.length !== 1)) {
    throw new ShapeError(`${layer}: expected exactly one input tensor`);
  }
  return x;
}

/**
 * A layer's random source. Seeded, it is reproducible (the library's one generator,
 * {@link createRng}) while successive calls (MC passes, training steps) still draw fresh noise;
 * unseeded, it uses `Math.random` and leaves tfjs random ops to their own generator.
 */
export class LayerRng {
  private rng: Rng | undefined;

  constructor(seed: number | null | undefined) {
    this.rng = seed === null || seed === undefined ? undefined : createRng(Math.trunc(seed));
  }

  /** Restarts the stream from `seed` (training reseeds every epoch so resumed runs repeat exactly). */
  reseed(seed: number): void {
    this.rng = createRng(Math.trunc(seed));
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    return this.rng === undefined ? Math.random() : this.rng.next();
  }

  /** A uniform draw in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** A seed for a tfjs random op, or `undefined` when unseeded. */
  tfSeed(): number | undefined {
    return this.rng === undefined ? undefined : Math.floor(this.rng.next() * 2147483647);
  }
}
