/**
 * Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019), which tfjs lacks, with
 * optional per-variable learning-rate multipliers (layer-wise learning-rate decay when finetuning).
 *
 * @module training/adamw
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { backendHasKernel } from '../architectures/layerCallPatch.js';

type NamedTensor = Awaited<ReturnType<tf.Optimizer['saveIterations']>>;

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** @defaultValue 1e-4 */
  readonly learningRate?: number;
  /** Decoupled decay per step, as a fraction of the learning rate. @defaultValue 0.05 */
  readonly weightDecay?: number;
  /** @defaultValue 0.9 */
  readonly beta1?: number;
  /** @defaultValue 0.999 */
  readonly beta2?: number;
  /** @defaultValue 1e-7 (tfjs's Adam) */
  readonly epsilon?: number;
  /**
   * Learning-rate multiplier per variable name (`tf.Variable.name`); absent names use 1.
   * The multiplier scales both the Adam step and the decay, like a per-group learning rate.
   */
  readonly learningRateScales?: ReadonlyMap<string, number>;
  /**
   * Multiplier of the learning rate at each (1-based) step, e.g. {@link cosineDecay}. A function of
   * the step count alone, which checkpoints keep, so resumed runs follow it exactly. @defaultValue constant 1
   */
  readonly schedule?: LearningRateSchedule;
}

/** Learning-rate multiplier as a function of the 1-based optimiser step. */
export type LearningRateSchedule = (step: number) => number;

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Steps over which the multiplier falls from 1 to `floor` (it stays there afterwards). */
  readonly steps: number;
  /** Final multiplier, in [0, 1]. @defaultValue 0 */
  readonly floor?: number;
}

/**
 * Cosine decay (Loshchilov & Hutter 2017, without restarts): the multiplier
 * `floor + (1 - floor) * (1 + cos(pi * min(t, steps) / steps)) / 2` at step `t`.
 *
 * @param options - length and floor.
 * @returns the schedule.
 * @throws {@link ConfigError} for a non-positive step count or a floor outside [0, 1].
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const { steps, floor = 0 } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new ConfigError(`cosineDecay: steps must be a positive integer, got ${steps}`);
  if (!(floor >= 0 && floor <= 1)) throw new ConfigError(`cosineDecay: floor must be in [0, 1], got ${floor}`);
  return (step) => floor + ((1 - floor) * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps))) / 2;
}

interface Moments { readonly m: tf.Variable; readonly v: tf.Variable }

/**
 * AdamW: for each variable `w` with gradient `g` at step `t` (PyTorch's and Keras's form),
 * `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `w ← w − lr·s·(m/(1−β1ᵗ) / (√(v/(1−β2ᵗ)) + ε) + wd·w)`, where `s` is the variable's
 * learning-rate multiplier. The decay uses the weights before the step and is applied only to
 * variables of rank 2 or more (kernels): biases and batch-normalisation scales/offsets are rank 1
 * and are not decayed, as is customary.
 *
 * @example
 * ```ts
 * await train({ ..., optimizer: new AdamW({ learningRate: 1e-4, weightDecay: 0.05 }) });
 * ```
 */
/**
 * Name of an optional kernel a backend may register for {@link AdamW}'s step on one variable:
 * inputs `{ variable, gradient, m, v }`, attr `params` = `[beta1, beta2, epsilon, 1 - beta1^t,
 * 1 - beta2^t, learning rate, weight decay]`; outputs `[variable, m, v]` after the step. Without it
 * the step is composed from about fifteen elementwise kernels per variable.
 */
export const ADAMW_UPDATE = 'ZoobotAdamWUpdate';

export class AdamW extends tf.Optimizer {
  /** tfjs serialization name. */
  static get className(): string { return 'AdamW'; }

  readonly learningRate: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly scales: ReadonlyMap<string, number>;
  private readonly schedule: LearningRateSchedule | undefined;
  private readonly moments = new Map<string, Moments>();

  /** @param options - See {@link AdamWOptions}. */
  constructor(options: AdamWOptions = {}) {
    super();
    const { learningRate = 1e-4, weightDecay = 0.05, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, learningRateScales = new Map(), schedule } = options;
    if (!(learningRate > 0)) throw new ConfigError(`AdamW: learningRate must be positive, got ${learningRate}`);
    if (!(weightDecay >= 0)) throw new ConfigError(`AdamW: weightDecay must be non-negative, got ${weightDecay}`);
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new ConfigError(`AdamW: betas must be in [0, 1), got ${beta1}, ${beta2}`);
    for (const [name, scale] of learningRateScales) {
      if (!(scale >= 0)) throw new ConfigError(`AdamW: learning-rate scale of '${name}' must be non-negative, got ${scale}`);
    }
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.scales = learningRateScales;
    this.schedule = schedule;
  }

  /** The learning rate of the last step taken (of the first step before any), schedule included. */
  get currentLearningRate(): number {
    return this.learningRate * (this.schedule?.(Math.max(this.iterations, 1)) ?? 1);
  }

  /** One AdamW step on the named variables (registered `tf.Variable`s). */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients);
    this.incrementIterations();
    const t = this.iterations;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    const scheduled = this.learningRate * (this.schedule?.(t) ?? 1);
    for (const [name, gradient] of pairs) {
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) throw new ConfigError(`AdamW: no registered variable named '${name}'`);
      const { m, v } = this.momentsOf(variable);
      const lr = scheduled * (this.scales.get(name) ?? 1);
      if (backendHasKernel(ADAMW_UPDATE)) {
        const params = [this.beta1, this.beta2, this.epsilon, correction1, correction2, lr, variable.rank >= 2 ? this.weightDecay : 0];
        const updated = tf.engine().runKernel(ADAMW_UPDATE, { variable, gradient: gradient as tf.Tensor, m, v }, { params }) as unknown as tf.Tensor[];
        variable.assign(updated[0]!);
        m.assign(updated[1]!);
        v.assign(updated[2]!);
        tf.dispose(updated);
        continue;
      }
      tf.tidy(() => {
        const g = gradient as tf.Tensor;
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const step = tf.div(tf.div(newM, correction1), tf.add(tf.sqrt(tf.div(newV, correction2)), this.epsilon));
        const decayed = variable.rank >= 2 ? tf.add(step, tf.mul(variable, this.weightDecay)) : step;
        m.assign(newM);
        v.assign(newV);
        variable.assign(tf.sub(variable, tf.mul(decayed, lr)));
      });
    }
  }

  private momentsOf(variable: tf.Variable): Moments {
    let moments = this.moments.get(variable.name);
    if (moments === undefined) {
      moments = tf.tidy(() => ({
        // Unnamed: tfjs names them uniquely, so several optimizers can track one variable.
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      }));
      this.moments.set(variable.name, moments);
    }
    return moments;
  }

  /** Frees the moment variables. */
  override dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }

  /** The step count then the moments (`<variable>/m`, `<variable>/v`), for checkpoints. */
  override async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.moments].flatMap(([name, { m, v }]) => [{ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v }]);
    return [await this.saveIterations(), ...moments];
  }

  /** Restores what {@link AdamW.getWeights} returned (the variables must exist). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    for (const { name, tensor } of rest) {
      const variableName = name.replace(/\/[mv]$/, '');
      const variable = tf.engine().registeredVariables[variableName];
      if (variable === undefined) throw new ConfigError(`AdamW.setWeights: no registered variable named '${variableName}'`);
      const moments = this.momentsOf(variable);
      (name.endsWith('/m') ? moments.m : moments.v).assign(tensor);
    }
  }

  /** Hyper-parameters (the per-variable scales are not serialised). */
  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, weightDecay: this.weightDecay, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * Adam (Kingma & Ba 2015): {@link AdamW} without weight decay, and the default optimizer of
 * {@link train}. Prefer it to `tf.train.adam` when training resumes from checkpoints: its bias
 * corrections are recomputed from the step count, so a restored optimizer continues bit for bit,
 * whereas tfjs's Adam rebuilds its running products βᵗ with `pow` on restore and the resumed run
 * drifts from an uninterrupted one by float32 rounding that grows with every step.
 *
 * @param learningRate - @defaultValue 1e-3
 * @param schedule - learning-rate multiplier per step (e.g. {@link cosineDecay}). @defaultValue constant
 */
export function adam(learningRate = 1e-3, schedule?: LearningRateSchedule): AdamW {
  return new AdamW({ learningRate, weightDecay: 0, ...(schedule !== undefined ? { schedule } : {}) });
}
