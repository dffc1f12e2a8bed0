/**
 * tf.layers pieces that compute what PyTorch's layers compute, for the timm builders. PyTorch pads
 * a k x k convolution by `(k - 1) / 2` on every side; tfjs 'same' at stride 2 pads bottom/right only,
 * which would shift every later feature, so convolutions here pad explicitly and run 'valid'.
 */
import * as tf from '@tensorflow/tfjs';

/** A symbolic tensor of a functional model. */
export type Sym = tf.SymbolicTensor;

/** Applies a layer to one or more symbolic tensors. */
export const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** Zero-pads height and width by `pad` on both sides (layer `<name>.pad`); no-op for 0. */
export function symmetricPad(x: Sym, name: string, pad: number): Sym {
  return pad > 0 ? apply(tf.layers.zeroPadding2d({ name: `${name}.pad`, padding: [[pad, pad], [pad, pad]] }), x) : x;
}

/** Options of {@link torchConv}. */
export interface TorchConvArgs {
  /** Output channels; omitted for a depthwise convolution. */
  readonly filters?: number;
  readonly kernelSize: number;
  readonly strides?: number;
  readonly useBias?: boolean;
}

/**
 * `nn.Conv2d(..., padding=k // 2)` (groups = channels when `filters` is omitted: depthwise).
 *
 * @param x - `[batch, H, W, C]`.
 * @param name - The timm module path, e.g. `layer2.0.conv1`.
 * @param args - Kernel size, stride, output channels, bias.
 * @returns `[batch, ceil-ish(H / stride), ..., filters or C]`, as PyTorch sizes it.
 */
export function torchConv(x: Sym, name: string, args: TorchConvArgs): Sym {
  const { filters, kernelSize, strides = 1, useBias = false } = args;
  const padded = symmetricPad(x, name, Math.floor(kernelSize / 2));
  const common = { name, kernelSize, strides, padding: 'valid' as const, useBias };
  return apply(filters === undefined ? tf.layers.depthwiseConv2d(common) : tf.layers.conv2d({ ...common, filters }), padded);
}

/** `nn.BatchNorm2d` (PyTorch's epsilon 1e-5) over the channel axis. */
export const batchNorm = (x: Sym, name: string): Sym => apply(tf.layers.batchNormalization({ name, axis: -1, epsilon: 1e-5 }), x);

/** An activation layer. */
export const activation = (x: Sym, name: string, fn: 'relu' | 'swish' | 'sigmoid'): Sym =>
  apply(tf.layers.activation({ name, activation: fn }), x);
