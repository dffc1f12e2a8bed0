/**
 * Assigning a timm state_dict to a tf.layers model whose layer names are timm's module paths.
 * The tensor for each tfjs weight follows from the layer's class and name alone (`<layer>.weight`,
 * `<layer>.bias`, ...), so any encoder built with that naming rule loads the same way, and the
 * PyTorch layouts are converted here: conv OIHW -> HWIO, depthwise (C,1,kh,kw) -> (kh,kw,C,1),
 * linear (out,in) -> (in,out).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../errors.js';
import { elementCount, floatData, type StoredTensor, type TensorDict } from './tensors.js';

/** How a tfjs weight is found in a state_dict: the parameter suffix and the axis permutation from PyTorch's layout. */
interface WeightRule {
  /** Appended to the layer name with a dot; `''` means the key is the layer name itself. */
  readonly param: string;
  /** Permutation taking the PyTorch tensor to the tfjs shape (`undefined`: same layout). */
  readonly perm?: readonly number[];
  /** The PyTorch shape implied by the tfjs shape. */
  readonly torchShape: (tfShape: readonly number[]) => number[];
}

const same = (s: readonly number[]): number[] => [...s];
const vector = (param: string): WeightRule => ({ param, torchShape: same });
const bias = vector('bias');

/** Per tfjs layer class: its weight names -> rule. */
const RULES: Readonly<Record<string, Readonly<Record<string, WeightRule>>>> = {
  Conv2D: {
    // HWIO <- OIHW
    kernel: { param: 'weight', perm: [2, 3, 1, 0], torchShape: ([h, w, i, o]) => [o, i, h, w] as number[] },
    bias,
  },
  DepthwiseConv2D: {
    // (kh, kw, C, 1) <- (C, 1, kh, kw)
    depthwise_kernel: { param: 'weight', perm: [2, 3, 0, 1], torchShape: ([h, w, c, m]) => [c, m, h, w] as number[] },
    bias,
  },
  Dense: {
    // (in, out) <- (out, in); a 1x1 conv's (out, in, 1, 1) is accepted too (see `matches`).
    kernel: { param: 'weight', perm: [1, 0], torchShape: ([i, o]) => [o, i] as number[] },
    bias,
  },
  LayerNormalization: { gamma: vector('weight'), beta: bias },
  BatchNormalization: {
    gamma: vector('weight'), beta: bias, moving_mean: vector('running_mean'), moving_variance: vector('running_var'),
  },
  LayerScale: { gamma: vector('') },
};

/** State_dict entries a tfjs model has no use for: batch-norm's step counter. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/** Whether a stored shape is acceptable for `expected` (a 1x1 conv kernel may stand for a linear one). */
function matches(stored: readonly number[], expected: readonly number[], rule: WeightRule): boolean {
  const squeezed = rule.perm?.length === 2 && stored.length === 4 && stored[2] === 1 && stored[3] === 1 ? stored.slice(0, 2) : stored;
  return squeezed.length === expected.length && squeezed.every((d, i) => d === expected[i]);
}

/**
 * Copies a timm state_dict into a model whose layers are named after timm's modules.
 *
 * @param model - A model from a zoobot-ts timm builder (e.g. {@link timmConvNeXt}); its weights are overwritten.
 * @param tensors - The state_dict, from `readSafetensors` or `readTorchZip`.
 * @param source - The weights file's name, for error messages.
 * @throws DataError naming `source` and every missing, unexpected or wrong-shaped tensor (nothing is assigned then).
 * @throws ConfigError when the model holds a layer class with weights that has no timm mapping.
 */
export function loadTimmWeights(model: tf.LayersModel, tensors: TensorDict, source: string): void {
  const assignments: Array<{ variable: tf.LayerVariable; tensor: StoredTensor; key: string; rule: WeightRule }> = [];
  const problems: string[] = [];
  const used = new Set<string>();
  for (const layer of model.layers) {
    for (const variable of layer.weights) {
      const weightName = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const rule = RULES[layer.getClassName()]?.[weightName];
      if (rule === undefined) {
        throw new ConfigError(`layer '${layer.name}' (${layer.getClassName()}) has weight '${weightName}' with no timm mapping`);
      }
      const key = rule.param === '' ? layer.name : `${layer.name}.${rule.param}`;
      const tensor = tensors.get(key);
      const expected = rule.torchShape(variable.shape as number[]);
      if (tensor === undefined) {
        problems.push(`missing tensor '${key}' (expected shape [${expected.join(', ')}])`);
      } else if (!matches(tensor.shape, expected, rule)) {
        problems.push(`tensor '${key}' has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}]`);
      } else {
        assignments.push({ variable, tensor, key, rule });
      }
      used.add(key);
    }
  }
  for (const key of tensors.keys()) {
    if (!used.has(key) && !IGNORED.test(key)) problems.push(`unexpected tensor '${key}'`);
  }
  if (problems.length > 0) throw new DataError(`state_dict does not fit the model: ${problems.join('; ')}`, { file: source });
  for (const { variable, tensor, key, rule } of assignments) {
    const data = floatData(key, tensor, source);
    tf.tidy(() => {
      const stored = tf.tensor(data, rule.torchShape(variable.shape as number[]));
      variable.write(rule.perm === undefined ? stored : tf.transpose(stored, [...rule.perm]));
    });
  }
}

/**
 * Makes a colour encoder's stem take greyscale input by summing its kernels over the RGB axis
 * (a grey image fed as three equal channels gives the same output), as Zoobot does.
 *
 * @param tensors - The state_dict; not modified.
 * @param stemKey - The stem convolution's weight, e.g. `stem.0.weight` (shape `[out, 3, kh, kw]`).
 * @param source - The weights file's name, for error messages.
 * @returns A copy of `tensors` whose stem weight has shape `[out, 1, kh, kw]`.
 * @throws DataError when the stem weight is absent or does not have 3 input channels.
 */
export function greyscaleStem(tensors: TensorDict, stemKey: string, source: string): TensorDict {
  const stem = tensors.get(stemKey);
  const [out, inChans, kh, kw] = stem?.shape ?? [];
  if (stem === undefined || stem.shape.length !== 4 || inChans !== 3) {
    throw new DataError(`tensor '${stemKey}' is ${stem ? `of shape [${stem.shape.join(', ')}]` : 'missing'}; expected [out, 3, kh, kw]`, { file: source });
  }
  const src = floatData(stemKey, stem, source);
  const area = (kh as number) * (kw as number);
  const summed = new Float32Array(elementCount([out as number, area]));
  for (let o = 0; o < (out as number); o++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < area; p++) summed[o * area + p] = (summed[o * area + p] as number) + (src[(o * 3 + c) * area + p] as number);
    }
  }
  return new Map(tensors).set(stemKey, { dtype: 'F32', shape: [out as number, 1, kh as number, kw as number], data: summed });
}
