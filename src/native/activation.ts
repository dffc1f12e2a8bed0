/**
 * tfjs's fused activations (`FusedConv2D`, `_FusedMatMul`) as the addon's codes, and in plain
 * JavaScript for the matmul path where bias and activation follow the product.
 *
 * @module native/activation
 */

/** The addon's activation codes (native/zoobot_native.cc `Activation`). `prelu` has none: it falls back. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0, relu: 1, relu6: 2, elu: 3, sigmoid: 4, leakyrelu: 5,
};

/** The code for tfjs's `activation` attribute (undefined means linear), or undefined when unsupported. */
export function activationCode(activation: unknown): number | undefined {
  return ACTIVATION_CODES[activation === undefined || activation === null ? 'linear' : String(activation)];
}

/** Applies `bias` (broadcast over the last axis; may be absent) and the activation to `values` in place. */
export function biasActivateInPlace(values: Float32Array, bias: Float32Array | undefined, code: number, alpha: number): void {
  const n = bias?.length ?? 1;
  for (let i = 0; i < values.length; i += 1) {
    let v = values[i]! + (bias === undefined ? 0 : bias[i % n]!);
    switch (code) {
      case 1: v = v > 0 ? v : 0; break;
      case 2: v = v < 0 ? 0 : v > 6 ? 6 : v; break;
      case 3: v = v > 0 ? v : Math.exp(v) - 1; break;
      case 4: v = 1 / (1 + Math.exp(-v)); break;
      case 5: v = v > 0 ? v : alpha * v; break;
      default: break;
    }
    values[i] = v;
  }
}
