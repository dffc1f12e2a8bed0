import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../errors.js';

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
 * A layer's random source. Seeded, it is reproducible (mulberry32) while successive calls
 * (MC passes, training steps) still draw fresh noise; unseeded, it uses `Math.random` and
 * leaves tfjs random ops to their own generator.
 */
export class LayerRng {
  private state: number;
  private seeded: boolean;

  constructor(seed: number | null | undefined) {
    this.seeded = seed !== null && seed !== undefined;
    this.state = (seed ?? 0) >>> 0;
  }

  /** Restarts the stream from `seed` (training reseeds every epoch so resumed runs repeat exactly). */
  reseed(seed: number): void {
    this.seeded = true;
    this.state = seed >>> 0;
  }

  /** A uniform draw in [0, 1). */
  uniform(): number {
    if (!this.seeded) return Math.random();
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform draw in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** A seed for a tfjs random op, or `undefined` when unseeded. */
  tfSeed(): number | undefined {
    return this.seeded ? Math.floor(this.uniform() * 2147483647) : undefined;
  }
}
