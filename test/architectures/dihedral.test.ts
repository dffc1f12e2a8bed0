import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { applyDihedral, DIHEDRAL_ORDER, predictMC } from '../../src/architectures/index.js';
import { ConfigError } from '../../src/errors.js';
import { describeBackends } from '../helpers/backends.js';

/** Reference: pixel (r, c) of element k, written with index arithmetic on plain arrays. */
function reference(image: number[][], k: number): number[][] {
  const n = image.length;
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => {
    // Output pixel (r, c) after [flip LR][flip UD][transpose] comes from these source coordinates.
    let [row, col] = (k & 4) !== 0 ? [c, r] : [r, c];
    if ((k & 2) !== 0) row = n - 1 - row;
    if ((k & 1) !== 0) col = n - 1 - col;
    return image[row]![col]!;
  }));
}

describeBackends('applyDihedral', () => {
  it('applies each of the 8 symmetries exactly, and they are all different', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: DIHEDRAL_ORDER - 1 }), (n, k) => {
      const image = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => r * n + c));
      const out = tf.tidy(() => applyDihedral(tf.tensor4d(image.flat(), [1, n, n, 1]), k).squeeze([0, 3]).arraySync());
      expect(out).toEqual(reference(image, k));
    }));
    const image = [[1, 2], [3, 4]];
    const all = new Set(Array.from({ length: 8 }, (_, k) => JSON.stringify(tf.tidy(() => applyDihedral(tf.tensor4d(image.flat(), [1, 2, 2, 1]), k).arraySync()))));
    expect(all.size).toBe(8);
  });

  it('refuses a bad element and a transpose of non-square images', () => {
    const x = tf.zeros([1, 2, 3, 1]) as tf.Tensor4D;
    expect(() => applyDihedral(x, 8)).toThrow(ConfigError);
    expect(() => applyDihedral(x, 4)).toThrow(/square/);
    expect(applyDihedral(x, 3).shape).toEqual([1, 2, 3, 1]);
  });

  it('gives predictMC pass p the image under element p mod 8', () => {
    // A model that reads out its input pixels: each pass's output is the transformed image itself.
    const input = tf.input({ shape: [3, 3, 1] });
    const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(input) as tf.SymbolicTensor });
    const image = Array.from({ length: 9 }, (_, i) => i);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(image, [1, 3, 3, 1]);
    const passes = tf.tidy(() => predictMC(model, x, 10, { dihedral: true }).arraySync() as number[][][]);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const grid = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];
    passes.forEach((pass, p) => expect(pass[0]).toEqual(reference(grid, p % 8).flat()));
    expect(() => predictMC(model, tf.zeros([1, 3, 3, 1]), 2, { dihedral: true, mode: 'head' })).toThrow(/mode "full"/);
  });
});
