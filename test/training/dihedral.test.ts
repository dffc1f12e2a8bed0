import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { inMemoryBatchSource, randomDihedral } from '../../src/training/index.js';
import { describeBackends, leakedTensors } from '../helpers/backends.js';

/** Pixel (r, c) of an h x w image after one of the 8 symmetries, written out by hand (reference). */
function transformed(image: number[][], flipLeftRight: boolean, flipUpDown: boolean, transpose: boolean): number[][] {
  let out = image.map((row) => (flipLeftRight ? [...row].reverse() : [...row]));
  if (flipUpDown) out = [...out].reverse();
  if (transpose) out = out[0]!.map((_, c) => out.map((row) => row[c]!));
  return out;
}

/** All distinct images the symmetries allowed for this shape make of `image`, as JSON strings. */
function candidates(image: number[][], square: boolean): string[] {
  const out: string[] = [];
  for (const lr of [false, true]) for (const ud of [false, true]) for (const tr of square ? [false, true] : [false]) {
    out.push(JSON.stringify(transformed(image, lr, ud, tr)));
  }
  return out;
}

/** Images of a batch as nested arrays (single channel). */
function unpack(images: tf.Tensor4D): number[][][] {
  return (images.squeeze([3]).arraySync() as number[][][]);
}

describeBackends('randomDihedral', () => {
  it('maps every image to one of its own dihedral images (square) or flips (non-square), without leaks', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 5 }), fc.boolean(), fc.nat(1000), fc.nat(20),
      (n, h, square, seed, batch) => {
        const w = square ? h : h + 1;
        // Distinct integer pixels, so every symmetry gives a different image.
        const input = tf.tensor4d(Float32Array.from({ length: n * h * w }, (_, i) => i), [n, h, w, 1]);
        let output: tf.Tensor4D | undefined;
        const leaked = leakedTensors(() => { output = tf.tidy(() => randomDihedral({ seed })(input, { epoch: 0, batch })); });
        expect(leaked).toBe(1); // the output, nothing else
        expect(output!.shape).toEqual([n, h, w, 1]);
        const before = unpack(input);
        const after = unpack(output!);
        after.forEach((image, i) => expect(candidates(before[i]!, h === w)).toContain(JSON.stringify(image)));
        tf.dispose([input, output!]);
      },
    ), { numRuns: 40 });
  });

  it('is a pure function of (seed, epoch, batch), and draws all 8 symmetries about equally often', () => {
    const n = 64;
    const base = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    const input = tf.tensor4d(Array.from({ length: n }, () => base).flat(2), [n, 3, 3, 1]);
    const augment = randomDihedral({ seed: 7 });
    const keys = candidates(base, true);
    const counts = new Map<string, number>(keys.map((k) => [k, 0]));
    const batches = 25;
    for (let batch = 0; batch < batches; batch += 1) {
      const first = tf.tidy(() => augment(input, { epoch: 3, batch }));
      const again = tf.tidy(() => augment(input, { epoch: 3, batch }));
      expect(again.arraySync()).toEqual(first.arraySync());
      for (const image of unpack(first)) counts.set(JSON.stringify(image), (counts.get(JSON.stringify(image)) ?? 0) + 1);
      tf.dispose([first, again]);
    }
    // 1,600 draws over 8 equally likely outcomes: 200 expected each, sd sqrt(1600 * 1/8 * 7/8) = 13.2;
    // 5 sd either side would fail about once in 2 million runs of an unbiased generator.
    for (const key of keys) expect(Math.abs((counts.get(key) ?? 0) - (n * batches) / 8)).toBeLessThan(5 * 13.3);
    const other = tf.tidy(() => augment(input, { epoch: 4, batch: 0 }));
    const same = tf.tidy(() => augment(input, { epoch: 3, batch: 0 }));
    expect(other.arraySync()).not.toEqual(same.arraySync());
    tf.dispose([input, other, same]);
  });

  it('is applied by inMemoryBatchSource to every batch, with that batch epoch and index', async () => {
    const seen: Array<{ epoch: number; batch: number }> = [];
    const source = inMemoryBatchSource({
      images: new Float32Array(5 * 4).fill(0.5), imageShape: [2, 2, 1], labels: Array.from({ length: 5 }, () => [1, 0]), batchSize: 2,
      augment: (images, context) => { seen.push(context); return tf.mul(images, 2); },
    });
    const maxima: number[] = [];
    for await (const batch of source.batches(6)) {
      maxima.push(batch.images.max().dataSync()[0]!);
      tf.dispose([batch.images, batch.labels]);
    }
    expect(seen).toEqual([{ epoch: 6, batch: 0 }, { epoch: 6, batch: 1 }, { epoch: 6, batch: 2 }]);
    expect(maxima).toEqual([1, 1, 1]);
  });
});
