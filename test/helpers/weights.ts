// Weight snapshots for tests that check which weights a training stage moved.
import type * as tf from '@tensorflow/tfjs';

/** A model's weight values keyed by their unsuffixed names (`block1_conv/kernel`, `layer3.0.bn1/beta`). */
export function snapshot(model: tf.LayersModel): Map<string, Float32Array> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
}

/** Largest absolute change of weight `name` between two snapshots. */
export function maxChange(a: Map<string, Float32Array>, b: Map<string, Float32Array>, name: string): number {
  const x = a.get(name);
  const y = b.get(name);
  if (x === undefined || y === undefined) throw new Error(`no weight ${name}`);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] ?? 0))), 0);
}
