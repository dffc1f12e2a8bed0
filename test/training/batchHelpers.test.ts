import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { batchTensors, packBatch, prefetch } from '../../src/training/batches.js';

describe('packBatch', () => {
  it('places each example\'s pixels / divisor and counts at its row, in float32', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.boolean(),
      (pixels, answers, n, withIds) => {
        const examples = Array.from({ length: n }, (_, b) => ({
          pixels: Uint8Array.from({ length: pixels }, (_, p) => (b * 31 + p * 7) % 256),
          counts: Array.from({ length: answers }, (_, a) => b + a * 3),
          ...(withIds ? { id: `g${b}` } : {}),
        }));
        const packed = packBatch(examples, pixels, answers, 255);
        expect(packed.count).toBe(n);
        for (let b = 0; b < n; b += 1) {
          for (let p = 0; p < pixels; p += 1) expect(packed.x[b * pixels + p]).toBe(Math.fround(((b * 31 + p * 7) % 256) / 255));
          for (let a = 0; a < answers; a += 1) expect(packed.y[b * answers + a]).toBe(b + a * 3);
        }
        expect(packed.ids).toEqual(withIds ? examples.map((_, b) => `g${b}`) : undefined);
      },
    ));
  });

  it('rejects an example of the wrong size', () => {
    expect(() => packBatch([{ pixels: [1, 2], counts: [1] }], 3, 1, 1)).toThrow(ShapeError);
    expect(() => packBatch([{ pixels: [1, 2, 3], counts: [1, 2] }], 3, 1, 1)).toThrow(ShapeError);
  });

  it('makes tensors and disposes the unaugmented images and the hook\'s intermediates', () => {
    const packed = packBatch([{ pixels: [0, 255, 51, 102], counts: [4, 5], id: 'a' }], 4, 2, 255);
    const before = tf.memory().numTensors;
    const batch = batchTensors(packed, [2, 2, 1], { fn: (x) => tf.sub(1, tf.mul(x, 1)), epoch: 0, batch: 0 });
    expect(tf.memory().numTensors - before).toBe(2);
    expect(Array.from(batch.images.dataSync())).toEqual([0, 255, 51, 102].map((v) => Math.fround(1 - Math.fround(v / 255))));
    expect(batch.labels.arraySync()).toEqual([[4, 5]]);
    tf.dispose([batch.images, batch.labels]);
    expect(() => batchTensors(packed, [2, 2, 1], { fn: () => { throw new Error('boom'); }, epoch: 0, batch: 0 })).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('prefetch', () => {
  const events: string[] = [];
  async function* producer(n: number, failAt = -1): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i += 1) {
        events.push(`make ${i}`);
        await new Promise((r) => setTimeout(r, 1));
        if (i === failAt) throw new Error(`failed at ${i}`);
        yield i;
      }
    } finally {
      events.push('producer closed');
    }
  }

  it('starts the next item before the consumer asks for it, and yields every item in order', async () => {
    events.length = 0;
    const got: number[] = [];
    for await (const i of prefetch(producer(3))) {
      events.push(`use ${i}`);
      got.push(i);
    }
    expect(got).toEqual([0, 1, 2]);
    expect(events.slice(0, 3)).toEqual(['make 0', 'make 1', 'use 0']);
  });

  it('reports a failure at its item, without an unhandled rejection, and closes the producer when stopped early', async () => {
    events.length = 0;
    const got: number[] = [];
    await expect((async () => { for await (const i of prefetch(producer(5, 2))) got.push(i); })()).rejects.toThrow('failed at 2');
    expect(got).toEqual([0, 1]);
    events.length = 0;
    for await (const i of prefetch(producer(5))) if (i === 1) break;
    expect(events.at(-1)).toBe('producer closed');
    expect(events).not.toContain('make 4');
  });
});
