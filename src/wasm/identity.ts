import type * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './kernelScope.js';

/** What sharing a buffer needs from a backend: its reference count (as the wasm backend's Reshape uses it). */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * Whether {@link identity} applies: any numeric or bool tensor (strings live in JS, not on the heap).
 *
 * @param args - The Identity kernel's arguments.
 * @returns True when {@link identity} can run them.
 */
export function identityShareApplies(args: KernelArgs): boolean {
  return (args.inputs as { x: tf.TensorInfo }).x.dtype !== 'string';
}

/**
 * `Identity` for the wasm backend as a shared, reference-counted buffer, as the cpu backend and
 * wasm's own Reshape do. wasm 4.22 copies the whole tensor instead; a training step calls Identity
 * for every gradient that passes through unchanged (about 1,900 times in an EfficientNetB0 step, 100
 * in a VGG step). Sharing is safe because no wasm kernel writes into its inputs. Only for arguments
 * {@link identityShareApplies} accepts.
 *
 * @param args - `inputs: {x}`.
 * @returns x's buffer under a new handle.
 */
export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
