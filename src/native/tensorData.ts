/**
 * Reading and writing the `cpu` backend's tensor storage in place, so native kernels see the very
 * Float32Arrays the backend holds and hand back new ones without a copy.
 *
 * @module native/tensorData
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs's `MathBackendCPU` the native kernels use (the backend they run in is one). */
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** A float32 tensor's values as the backend stores them (a copy only if they are not a Float32Array). */
export function f32Values(backend: object, tensor: tf.TensorInfo): Float32Array {
  const values = (backend as unknown as CpuBackendLike).data.get(tensor.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/** A new float32 tensor in `backend` that takes ownership of `values`. */
export function f32Output(backend: object, shape: number[], values: Float32Array): tf.TensorInfo {
  return (backend as unknown as CpuBackendLike).makeTensorInfo(shape, 'float32', values);
}

/** Whether every tensor is float32 and non-empty (the only case the native kernels take). */
export function allFloat32(...tensors: tf.TensorInfo[]): boolean {
  return tensors.every((t) => t.dtype === 'float32' && t.shape.every((d) => d > 0));
}
