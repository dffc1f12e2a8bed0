/**
 * Input checks shared by the losses. Shape checks are free; value checks read tensor data
 * (slow on GPU backends), so the losses run them only when asked (`validate: true`).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError } from '../errors.js';

/** Options shared by the losses. */
export interface ValidateOption {
  /**
   * Read the inputs and throw {@link ConfigError} for non-positive or non-finite concentrations
   * and for negative or non-finite counts. Without it such values give NaN losses.
   * @defaultValue `false`
   */
  readonly validate?: boolean;
}

/** The broadcast shape of `tensors`; throws {@link ShapeError} naming all shapes when they do not broadcast. */
export function broadcastShape(tensors: readonly tf.Tensor[], where: string): number[] {
  try {
    return tensors.reduce<number[]>((shape, t) => tf.backend_util.assertAndGetBroadcastShape(shape, t.shape), []);
  } catch (cause) {
    const shapes = tensors.map((t) => `[${t.shape.join(', ')}]`).join(', ');
    throw new ShapeError(`${where}: shapes ${shapes} do not broadcast together`, { cause });
  }
}

/** Throws {@link ShapeError} unless `a` and `b` have equal shapes of at least `minRank` dimensions. */
export function assertSameShape(a: tf.Tensor, b: tf.Tensor, names: readonly [string, string], where: string, minRank = 1): void {
  if (a.rank < minRank || b.rank < minRank) {
    throw new ShapeError(`${where}: ${names[0]} and ${names[1]} need at least ${minRank} dimension(s), got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new ShapeError(`${where}: ${names[0]} shape [${a.shape.join(', ')}] does not match ${names[1]} shape [${b.shape.join(', ')}]`);
  }
}

/** Throws {@link ConfigError} naming the first element of `t` that is not positive and finite (reads data). */
export function assertPositive(t: tf.Tensor, what: string, where: string): void {
  assertEvery(t, (v) => v > 0 && Number.isFinite(v), `${what} must be positive and finite`, where);
}

/** Throws {@link ConfigError} naming the first element of `t` that is negative or not finite (reads data). */
export function assertNonNegative(t: tf.Tensor, what: string, where: string): void {
  assertEvery(t, (v) => v >= 0 && Number.isFinite(v), `${what} must be non-negative and finite`, where);
}

function assertEvery(t: tf.Tensor, ok: (v: number) => boolean, requirement: string, where: string): void {
  const values = t.dataSync();
  const bad = values.findIndex((v) => !ok(v));
  if (bad >= 0) {
    const index = t.rank === 0 ? [] : tf.util.indexToLoc(bad, t.rank, tf.util.computeStrides(t.shape));
    throw new ConfigError(`${where}: ${requirement}; got ${values[bad]} at index [${index.join(', ')}]`);
  }
}
