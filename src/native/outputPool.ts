/**
 * Recycled output arrays for the native backend's kernels. The `cpu` backend gives every kernel
 * output a fresh, zero-filled Float32Array; for the large activations of a training step, the
 * kernel's first touch of those new pages costs more than the kernel's own work (measured: writing
 * a fresh 64 MiB array took 68 ms, writing one already in use 19 ms). The pool takes an output
 * array back when tfjs disposes the last tensor that holds it and hands it to the next output of
 * the same length.
 *
 * An array is only recycled when nothing outside the backend can still see it: it was allocated
 * here, no tensor data read ever returned it (`dataSync()` and `data()` hand out the backend's own
 * array), and no other tensor shares its buffer (the `cpu` backend's contiguous `Slice` is a view).
 *
 * @module native/outputPool
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs's `MathBackendCPU` the pool hooks into. */
interface CpuStorage {
  data: {
    set(dataId: object, entry: { values?: unknown }): void;
    get(dataId: object): { values?: unknown } | undefined;
    has(dataId: object): boolean;
    delete(dataId: object): boolean;
  };
  readSync(dataId: object): unknown;
}

/** What {@link OutputPool.stats} reports. */
export interface OutputPoolStats {
  /** Outputs served from recycled arrays. */
  readonly reused: number;
  /** Outputs that needed a new array. */
  readonly allocated: number;
  /** Bytes in arrays waiting for reuse. */
  readonly idleBytes: number;
  /** The most bytes its arrays held at once (in tensors, not idle). */
  readonly peakLiveBytes: number;
}

/** Outputs smaller than this are plain new arrays: recycling them gains nothing measurable. */
const MIN_POOLED_ELEMENTS = 64 * 1024;

/**
 * Idle memory the pool may always keep, however little its arrays held at once. Prediction holds
 * few activations at a time but needs a different size at every layer: with idle memory bounded by
 * the peak alone, EfficientNetB0 prediction (batch 16) reused 87 of 513 outputs and took 0.98 s per
 * batch, first-touching fresh pages; with this floor it reused 466 and took 0.44 s.
 */
export const DEFAULT_IDLE_FLOOR_BYTES = 2 ** 30;

/**
 * Idle memory the pool may keep per byte its arrays ever held at once. With a step's tensors freed
 * during the backward pass (`enableEarlyTapeRelease`), the arrays of each size are live at different
 * times, so a step reuses more arrays than it holds at its peak: 1.3x the peak for EfficientNetB0
 * (batch 16), 1.7x for the W+20 VGG (batch 32). Bounded by the peak alone, the pool dropped a third
 * of EfficientNetB0's arrays each step and the step ran 10-20% slower.
 */
const IDLE_PER_PEAK = 2;

/** Recycles the native kernels' large output arrays within one `cpu`-style backend. */
export class OutputPool {
  private readonly idle = new Map<number, Float32Array[]>();
  /** Buffers of arrays this pool allocated, with how many tensors hold each one. */
  private readonly holders = new WeakMap<ArrayBufferLike, number>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  private idleBytes = 0;
  /** Bytes of pooled arrays handed out and not yet released by their last tensor, and their peak. */
  private liveBytes = 0;
  private peakLiveBytes = 0;
  private reused = 0;
  private allocated = 0;

  /**
   * @param maxIdleBytes - Idle memory kept for reuse, at most; arrays beyond it are left to the
   *   garbage collector. Whatever this says, the pool keeps no more idle memory than the larger of
   *   `idleFloorBytes` and twice the most its arrays ever held at once: repeated steps then find
   *   every array they need, and arrays of sizes a workload has stopped using cannot pile up.
   * @param idleFloorBytes - Idle memory the pool may keep even when its arrays never held as much at
   *   once (prediction's case).
   */
  constructor(
    private readonly maxIdleBytes = Number.POSITIVE_INFINITY,
    private readonly idleFloorBytes = DEFAULT_IDLE_FLOOR_BYTES,
  ) {}

  /** A Float32Array of `length` elements with unspecified contents: the kernel must write every element. */
  alloc(length: number): Float32Array {
    if (length < MIN_POOLED_ELEMENTS) return new Float32Array(length);
    const recycled = this.idle.get(length)?.pop();
    const values = recycled ?? new Float32Array(length);
    if (recycled !== undefined) {
      this.idleBytes -= recycled.byteLength;
      this.reused += 1;
    } else {
      this.allocated += 1;
    }
    this.holders.set(values.buffer, 0);
    this.liveBytes += values.byteLength;
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    return values;
  }

  /** Counts of reuse and the idle bytes, for benchmarks and tests. */
  stats(): OutputPoolStats {
    return { reused: this.reused, allocated: this.allocated, idleBytes: this.idleBytes, peakLiveBytes: this.peakLiveBytes };
  }

  /**
   * Hooks the backend's tensor storage: counts the tensors that hold each pooled buffer, marks
   * buffers handed out by reads, and takes an array back when its last tensor is deleted.
   */
  attach(backend: object): void {
    const storage = backend as unknown as CpuStorage;
    const data = storage.data;
    const set = data.set.bind(data), del = data.delete.bind(data), readSync = storage.readSync.bind(storage);
    data.set = (dataId, entry) => {
      if (data.has(dataId)) this.release(data.get(dataId)?.values);
      this.hold(entry.values);
      set(dataId, entry);
    };
    data.delete = (dataId) => {
      this.release(data.get(dataId)?.values);
      return del(dataId);
    };
    storage.readSync = (dataId) => {
      const values = data.get(dataId)?.values;
      if (ArrayBuffer.isView(values) && this.holders.has(values.buffer)) this.escaped.add(values.buffer);
      return readSync(dataId);
    };
  }

  private hold(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const count = this.holders.get(values.buffer);
    if (count !== undefined) this.holders.set(values.buffer, count + 1);
  }

  private release(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const count = this.holders.get(values.buffer);
    if (count === undefined) return;
    this.holders.set(values.buffer, count - 1);
    if (count > 1) return;
    this.liveBytes -= values.buffer.byteLength;
    this.holders.delete(values.buffer);
    if (this.escaped.has(values.buffer) || !(values instanceof Float32Array)) return;
    // Only a whole pooled array goes back (a view of one is released with its buffer's last holder,
    // but the array object itself is what the free list keeps).
    if (values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength) return;
    if (this.idleBytes + values.byteLength > Math.min(this.maxIdleBytes, Math.max(IDLE_PER_PEAK * this.peakLiveBytes, this.idleFloorBytes))) return;
    const list = this.idle.get(values.length);
    if (list === undefined) this.idle.set(values.length, [values]);
    else list.push(values);
    this.idleBytes += values.byteLength;
  }
}

/** Pools by backend instance (one per `zoobot-native` backend tfjs creates). */
const pools = new WeakMap<object, OutputPool>();

/** Attaches a new pool to a freshly created backend (`maxIdleBytes`: see the {@link OutputPool} constructor). */
export function attachOutputPool(backend: object, maxIdleBytes?: number): OutputPool {
  const pool = new OutputPool(maxIdleBytes);
  pool.attach(backend);
  pools.set(backend, pool);
  return pool;
}

/**
 * An output array for a native kernel running in `backend`: recycled when the backend has a pool,
 * else new.
 */
export function outputArray(backend: object, length: number): Float32Array {
  return pools.get(backend)?.alloc(length) ?? new Float32Array(length);
}

/** The pool's statistics for the backend tfjs is using, or `undefined` if it has none. */
export function outputPoolStats(backend: tf.KernelBackend): OutputPoolStats | undefined {
  return pools.get(backend)?.stats();
}
