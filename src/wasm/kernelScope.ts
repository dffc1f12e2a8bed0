import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.js';

/** What tfjs passes a kernel function (`tf.KernelFunc`'s parameter). */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}

/** The part of a tfjs backend that composed kernels need: freeing intermediate buffers. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** What tfjs-backend-wasm's `BackendWasm` offers its own kernels: fresh buffers and views of them on the heap. */
interface HeapBackend extends DisposingBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

function isHeapBackend(backend: object): backend is HeapBackend {
  const b = backend as Partial<HeapBackend>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * Runs a backend's own kernels by name at the `TensorInfo` level, the way tfjs backends compose
 * kernels internally: no engine tensors are created, nothing is recorded on a gradient tape, and
 * every intermediate buffer is freed when the composed kernel returns (or throws).
 */
export class KernelScope {
  private readonly made: tf.TensorInfo[] = [];

  /**
   * @param backend - The backend object a kernel function received.
   * @param backendName - The registry name of that backend (`'wasm'`).
   */
  constructor(
    private readonly backend: object,
    private readonly backendName: string,
  ) {}

  /**
   * Runs kernel `name` on this scope's backend.
   *
   * @param name - Kernel name, e.g. `'Conv2D'`.
   * @param inputs - Named inputs, as the kernel expects them.
   * @param attrs - Kernel attributes.
   * @returns The kernel's (first) output, owned by this scope until {@link KernelScope.keep}.
   */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel === undefined) {
      throw new BackendError(`KernelScope: kernel '${name}' is not registered for backend '${this.backendName}'`);
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    const info = Array.isArray(out) ? out[0] : out;
    if (info === undefined) throw new BackendError(`KernelScope: kernel '${name}' returned no output`);
    this.made.push(info);
    return info;
  }

  /** Reshapes `x` (shares its buffer, as the backend's Reshape kernel does). */
  reshape(x: tf.TensorInfo, shape: readonly number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape: [...shape] });
  }

  /** Permutes the axes of `x`. */
  transpose(x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm: [...perm] });
  }

  /**
   * A new, uninitialised float32 buffer of `shape` on a wasm backend, owned by this scope.
   *
   * @param shape - Its shape.
   * @returns The buffer; fill it through {@link KernelScope.heap}.
   */
  alloc(shape: readonly number[]): tf.TensorInfo {
    const info = this.heapBackend().makeOutput([...shape], 'float32');
    this.made.push(info);
    return info;
  }

  /**
   * A view of a float32 buffer on the wasm heap, without copying. Any later allocation may grow the
   * heap and detach the view, so take views after the allocations they are used with.
   *
   * @param x - A float32 buffer of this scope's (wasm) backend.
   * @returns Its values, `size(x.shape)` floats.
   */
  heap(x: tf.TensorInfo): Float32Array {
    return this.heapBackend().typedArrayFromHeap(x);
  }

  /** Frees `x`, something this scope made, before the scope ends (to bound peak memory in loops). */
  free(x: tf.TensorInfo): void {
    const i = this.made.indexOf(x);
    if (i < 0) throw new BackendError('KernelScope.free: the buffer was not made by this scope');
    this.made.splice(i, 1);
    (this.backend as DisposingBackend).disposeData(x.dataId);
  }

  private heapBackend(): HeapBackend {
    if (!isHeapBackend(this.backend)) {
      throw new BackendError(`KernelScope: backend '${this.backendName}' gives no heap access (makeOutput, typedArrayFromHeap). Should be tfjs-backend-wasm`);
    }
    return this.backend;
  }

  /** Crops `x` to `size` from the origin when any dimension is larger, else returns `x` itself. */
  cropTo(x: tf.TensorInfo, size: readonly number[]): tf.TensorInfo {
    if (x.shape.every((d, i) => d === size[i])) return x;
    return this.run('Slice', { x }, { begin: size.map(() => 0), size: [...size] });
  }

  /**
   * Frees every intermediate this scope made except `result`.
   *
   * @param result - The composed kernel's output, handed to the engine.
   * @returns `result`.
   */
  keep(result: tf.TensorInfo): tf.TensorInfo {
    this.release(result);
    return result;
  }

  /** Frees every intermediate except `result` (none when `result` is undefined, e.g. on error). */
  release(result?: tf.TensorInfo): void {
    const backend = this.backend as DisposingBackend;
    for (const info of this.made.splice(0)) {
      // Reshape outputs share a buffer through a reference count, so disposing each handle once is exact.
      if (info !== result) backend.disposeData(info.dataId);
    }
  }
}

/**
 * Runs `body` with a fresh {@link KernelScope} and frees its intermediates, also when it throws.
 *
 * @param backend - The backend object a kernel function received.
 * @param backendName - Its registry name.
 * @param body - Composes kernels and returns the output: something the scope made, never one of the
 *   kernel's inputs (the engine takes ownership of the returned buffer).
 * @returns The output of `body`, owned by the caller.
 */
export function composeKernels(
  backend: object,
  backendName: string,
  body: (k: KernelScope) => tf.TensorInfo,
): tf.TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } catch (error) {
    scope.release();
    throw error;
  }
}
