// The native backend's output pool (src/native/outputPool.ts) on a plain cpu backend instance: no
// addon needed. An array may only come back from alloc() when no tensor holds it and no read has
// handed it out; a model-based property test drives random sequences of the backend calls that
// create, share, read and dispose tensor data.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputPool } from '../../src/native/outputPool.js';

const N = 64 * 1024; // the smallest pooled length

interface CpuLike {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
  readSync(dataId: object): unknown;
}

async function pooledCpu(maxIdleBytes?: number, idleFloorBytes?: number): Promise<{ backend: CpuLike; pool: OutputPool }> {
  const backend = (await tf.findBackendFactory('cpu')!()) as unknown as CpuLike;
  const pool = new OutputPool(maxIdleBytes, idleFloorBytes);
  pool.attach(backend);
  return { backend, pool };
}

describe('OutputPool', () => {
  it('hands a disposed output back to the next alloc of its length, and only of its length', async () => {
    const { backend, pool } = await pooledCpu();
    const a = pool.alloc(N);
    const info = backend.makeTensorInfo([N], 'float32', a);
    expect(pool.alloc(N)).not.toBe(a); // still held
    backend.disposeData(info.dataId);
    expect(pool.alloc(2 * N)).not.toBe(a);
    expect(pool.alloc(N)).toBe(a);
    expect(pool.stats()).toMatchObject({ reused: 1, idleBytes: 0 });
  });

  it('keeps small outputs out of the pool', async () => {
    const { backend, pool } = await pooledCpu();
    const a = pool.alloc(N - 1);
    backend.disposeData(backend.makeTensorInfo([N - 1], 'float32', a).dataId);
    expect(pool.alloc(N - 1)).not.toBe(a);
  });

  it('never recycles an array a read handed out (dataSync returns the backend array itself)', async () => {
    const { backend, pool } = await pooledCpu();
    const a = pool.alloc(N);
    const info = backend.makeTensorInfo([N], 'float32', a);
    expect(backend.readSync(info.dataId)).toBe(a);
    backend.disposeData(info.dataId);
    expect(pool.alloc(N)).not.toBe(a);
  });

  it('waits for the last reference and for views of the buffer (the cpu Slice of a contiguous block)', async () => {
    const { backend, pool } = await pooledCpu();
    const a = pool.alloc(N);
    const info = backend.makeTensorInfo([N], 'float32', a);
    backend.incRef(info.dataId);
    backend.disposeData(info.dataId);
    expect(pool.alloc(N)).not.toBe(a);
    const view = backend.makeTensorInfo([N / 2], 'float32', a.subarray(N / 2));
    backend.disposeData(info.dataId);
    expect(pool.alloc(N)).not.toBe(a); // the view still reads it
    backend.disposeData(view.dataId);
    expect(pool.alloc(N)).not.toBe(a); // released through a view: left to the garbage collector
  });

  it('keeps no more idle memory than it is allowed', async () => {
    const { backend, pool } = await pooledCpu(N * 4); // room for one array
    const [a, b] = [pool.alloc(N), pool.alloc(N)];
    for (const values of [a, b]) backend.disposeData(backend.makeTensorInfo([N], 'float32', values).dataId);
    expect(pool.stats().idleBytes).toBe(N * 4);
    expect(pool.alloc(N)).toBe(a);
    expect(pool.alloc(N)).not.toBe(b);
  });

  it('keeps no more idle memory than twice what its arrays ever held at once, beyond its floor', async () => {
    const { backend, pool } = await pooledCpu(undefined, 0);
    const release = (values: Float32Array) => backend.disposeData(backend.makeTensorInfo([values.length], 'float32', values).dataId);
    const [a, b] = [pool.alloc(N), pool.alloc(N)]; // 2N floats held at once
    release(a);
    release(b); // 2N idle, within 2 x 2N: kept
    const c = pool.alloc(2 * N);
    release(c); // 4N idle, within 2 x 2N: kept (a step's arrays of each size are live at different times)
    const d = pool.alloc(3 * N);
    release(d); // the peak is now 3N: 7N idle would pass 2 x 3N, dropped
    expect(pool.stats()).toMatchObject({ idleBytes: 4 * N * 4, peakLiveBytes: 3 * N * 4 });
    expect(pool.alloc(3 * N)).not.toBe(d);
    expect(pool.alloc(2 * N)).toBe(c);
  });

  it('keeps up to its floor idle when its arrays never held that much at once (one size per layer, as in prediction)', async () => {
    const { backend, pool } = await pooledCpu(undefined, 6 * N * 4);
    const release = (values: Float32Array) => backend.disposeData(backend.makeTensorInfo([values.length], 'float32', values).dataId);
    const layer = (length: number) => {
      const values = pool.alloc(length);
      release(values);
      return values;
    };
    const first = [N, 2 * N, 3 * N].map(layer); // at most 3N floats held at once, 6N idle after: within the floor
    expect(pool.stats().idleBytes).toBe(6 * N * 4);
    [N, 2 * N, 3 * N].map(layer).forEach((values, i) => expect(values).toBe(first[i]));
    release(pool.alloc(4 * N)); // 10N idle would pass the floor and twice the peak (8N): dropped
    expect(pool.stats().idleBytes).toBe(6 * N * 4);
  });

  it('never hands out an array a live tensor or a read can still see (random call sequences)', async () => {
    type Step =
      | { kind: 'alloc'; length: number }
      | { kind: 'view' | 'incRef' | 'read' | 'dispose'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), length: fc.constantFrom(N, 2 * N) }),
      fc.record({ kind: fc.constantFrom('view' as const, 'incRef' as const, 'read' as const, 'dispose' as const), pick: fc.nat({ max: 7 }) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.nat({ max: 3 }), async (steps, room) => {
      const { backend, pool } = await pooledCpu(room * N * 8);
      // The model: every live data id with its buffer and references, and the buffers reads exposed.
      const live: { dataId: object; buffer: ArrayBufferLike; refs: number }[] = [];
      const exposed = new Set<ArrayBufferLike>();
      for (const s of steps) {
        if (s.kind === 'alloc') {
          const values = pool.alloc(s.length);
          expect(live.some((t) => t.buffer === values.buffer) || exposed.has(values.buffer)).toBe(false);
          live.push({ dataId: backend.makeTensorInfo([s.length], 'float32', values).dataId, buffer: values.buffer, refs: 1 });
          continue;
        }
        const target = live[s.pick % Math.max(live.length, 1)];
        if (target === undefined) continue;
        if (s.kind === 'view') {
          const view = new Float32Array(target.buffer, 4, 16);
          live.push({ dataId: backend.makeTensorInfo([16], 'float32', view).dataId, buffer: target.buffer, refs: 1 });
        } else if (s.kind === 'incRef') {
          backend.incRef(target.dataId);
          target.refs += 1;
        } else if (s.kind === 'read') {
          exposed.add((backend.readSync(target.dataId) as Float32Array).buffer);
        } else {
          backend.disposeData(target.dataId);
          target.refs -= 1;
          if (target.refs === 0) live.splice(live.indexOf(target), 1);
        }
      }
    }), { numRuns: 300 });
  });
});
