/**
 * Finetuning a pretrained encoder on a new task (Zoobot's `finetune`): a new head (classifier,
 * regressor or decision tree), trained first alone, then with encoder blocks unfrozen from the top,
 * one more block per stage, with AdamW and layer-wise learning-rate decay.
 *
 * @module training/finetune
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors.js';
import { defineSchema, type Schema } from '../decisionTree/index.js';
import { treeLoss } from '../losses/index.js';
import { DirichletHead } from '../architectures/layers/dirichletHead.js';
import { mcDropout } from '../architectures/layers/mcDropout.js';
import { flattenLayers } from '../architectures/layers/flattenLayers.js';
import { seededInitializers } from '../architectures/initializers.js';
import { AdamW } from './adamw.js';
import type { BatchSource } from './batches.js';
import { train, type PerQuestionLoss, type TrainCallbacks, type TrainResult } from './train.js';

/**
 * The new head. `classes`: softmax over `classes`, cross-entropy against one-hot (or probability)
 * labels. `regression`: linear outputs, mean squared error. `tree`: Dense(answers) and a Dirichlet
 * head, trained with the Dirichlet-multinomial tree loss of `schema` on vote counts.
 */
export type FinetuneHead =
  | { readonly kind: 'classes'; readonly classes: number }
  | { readonly kind: 'regression'; readonly outputs: number }
  | { readonly kind: 'tree'; readonly schema: Schema };

/** Options of {@link buildFinetuneModel}. */
export interface FinetuneModelOptions {
  /**
   * Layer whose output is the representation the head reads. @defaultValue the input of
   * `top_dropout` for a zoobot model, else the model's output. Feature maps are average-pooled.
   */
  readonly encoderOutput?: string;
  /** Dropout before the new Dense layer (MC dropout, so `predictMC` works). @defaultValue 0.5 */
  readonly dropoutRate?: number;
  /** Seeds the head's dropout and (through a derived seed) its Dense kernel's initial weights. @defaultValue unseeded */
  readonly seed?: number;
}

/** Options of {@link finetune}. */
export interface FinetuneOptions extends FinetuneModelOptions {
  /** A zoobot model or any encoder. Its layers are shared with, and trained in, the new model. */
  readonly pretrained: tf.LayersModel;
  readonly head: FinetuneHead;
  /** Labels: one-hot `[batch, classes]`, targets `[batch, outputs]`, or vote counts `[batch, answers]`. */
  readonly train: BatchSource;
  readonly validation?: BatchSource;
  /** Epochs of the head-only stage (0 skips it). @defaultValue 10 */
  readonly headEpochs?: number;
  /** Encoder blocks to unfreeze after the head stage, one more per stage, from the top. @defaultValue 0 */
  readonly blocks?: number;
  /** Epochs of each unfreezing stage. @defaultValue `headEpochs` */
  readonly blockEpochs?: number;
  /** Names the block of an encoder layer. @defaultValue {@link defaultBlockOf} */
  readonly blockOf?: (layerName: string) => string;
  /** AdamW learning rate of the head and the top block. @defaultValue 1e-4 */
  readonly learningRate?: number;
  /** AdamW decoupled weight decay. @defaultValue 0.05 */
  readonly weightDecay?: number;
  /** Learning-rate factor per block further down. @defaultValue 0.75 */
  readonly learningRateDecay?: number;
  /** Early-stopping patience within each stage. @defaultValue 8 */
  readonly patience?: number;
  readonly callbacks?: TrainCallbacks;
  /** After each stage, with its training result and the model (its best weights restored). */
  readonly onStageEnd?: (stage: FinetuneStage, model: tf.LayersModel) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** One stage of {@link finetune}. */
export interface FinetuneStage {
  /** 0 for the head-only stage, k when the top k blocks train too. */
  readonly stage: number;
  /** Names of the trainable encoder blocks, top first. */
  readonly unfrozen: readonly string[];
  readonly result: TrainResult;
}

/** What {@link finetune} returns. */
export interface FinetuneResult {
  /** The finetuned model (pretrained layers plus the new head), all layers trainable again. */
  readonly model: tf.LayersModel;
  /** The head's schema: the tree's, or a one-question stand-in for classes and regression. */
  readonly schema: Schema;
  readonly stages: readonly FinetuneStage[];
}

/** A group of encoder layers trained together. */
export interface EncoderBlock {
  readonly name: string;
  readonly layers: readonly tf.layers.Layer[];
}

/** The layer names of the new head, so they never collide with the pretrained ones. */
const HEAD_LAYERS = { pool: 'finetune_pool', dropout: 'finetune_dropout', dense: 'finetune_dense', dirichlet: 'finetune_dirichlet' } as const;

/**
 * Keras's block names: `blockN...` layers (EfficientNet `block6a_expand_conv`, VGG `block3_conv1`)
 * form block `blockN`, `stem_*` the stem, `top_*` and `fc*` (EfficientNet's top convolution,
 * VGG's hidden Dense) the top; any other layer is a block of its own.
 *
 * timm names (the encoders of `loadPretrainedEncoder`) give Zoobot's blocks: ConvNeXt `stem` and
 * `stages.0`-`stages.3`; ResNet `conv1`, `bn1`, `layer1`-`layer4`; EfficientNet `conv_stem`, `bn1`,
 * `blocks.0`-`blocks.6`. timm's layers after the last stage (ConvNeXt's `head.norm`, EfficientNet's
 * `conv_head` and `bn2`) form one more block, `top` (as Keras's top layers), the first to unfreeze
 * (Zoobot never trains them).
 *
 * @param layerName - A layer name.
 * @returns Its block name.
 */
export function defaultBlockOf(layerName: string): string {
  const timmBlock = /^(stem|stages\.\d+|layer\d+|blocks\.\d+)\./.exec(layerName)?.[1];
  if (timmBlock !== undefined) return timmBlock;
  if (/^head\./.test(layerName) || layerName === 'conv_head' || layerName === 'bn2') return 'top';
  const block = /^(block\d+)/.exec(layerName)?.[1];
  if (block !== undefined) return block;
  if (layerName.startsWith('stem_')) return 'stem';
  if (/^(top_|fc\d)/.test(layerName)) return 'top';
  return layerName;
}

/**
 * The encoder layers with weights of `model`, grouped into blocks, top (output end) first.
 *
 * @param model - A finetuning model or any model; the new head's layers are left out.
 * @param blockOf - Names the block of a layer.
 * @returns The blocks in order from the output towards the input.
 */
export function encoderBlocks(model: tf.LayersModel, blockOf: (layerName: string) => string = defaultBlockOf): EncoderBlock[] {
  const heads = new Set<string>(Object.values(HEAD_LAYERS));
  const groups = new Map<string, tf.layers.Layer[]>();
  for (const layer of flattenLayers(model)) {
    if (layer instanceof tf.LayersModel || layer.weights.length === 0 || heads.has(layer.name)) continue;
    const name = blockOf(layer.name);
    groups.set(name, [...(groups.get(name) ?? []), layer]);
  }
  return [...groups].map(([name, layers]) => ({ name, layers })).reverse();
}

/**
 * A new model: the pretrained layers up to the representation, then MC dropout, a Dense layer and
 * the head's activation. The layers are shared, not copied.
 *
 * @param pretrained - A zoobot model or an encoder.
 * @param head - See {@link FinetuneHead}.
 * @param options - See {@link FinetuneModelOptions}.
 * @returns A model from the pretrained input to `[batch, classes | outputs | answers]`.
 */
export function buildFinetuneModel(pretrained: tf.LayersModel, head: FinetuneHead, options: FinetuneModelOptions = {}): tf.LayersModel {
  const { dropoutRate = 0.5, seed } = options;
  if (!(dropoutRate >= 0 && dropoutRate < 1)) throw new ConfigError(`finetune: dropoutRate must be in [0, 1), got ${dropoutRate}`);
  const units = headUnits(head);
  let x = representation(pretrained, options.encoderOutput);
  if (x.rank === 4) x = tf.layers.globalAveragePooling2d({ name: HEAD_LAYERS.pool }).apply(x) as tf.SymbolicTensor;
  if (x.rank !== 2) throw new ConfigError(`finetune: the representation must be [batch, features] or a feature map, got [${x.shape.join(', ')}]`);
  x = mcDropout({ rate: dropoutRate, seed: seed ?? null, name: HEAD_LAYERS.dropout }).apply(x) as tf.SymbolicTensor;
  const activation = head.kind === 'classes' ? 'softmax' : 'linear';
  // Seeded, the new head starts from the same weights every run, drawn like the other builders' layers
  // (tfjs's default Glorot normal, with a seed derived from the run's, not the dropout seed itself).
  const kernelInitializer = seededInitializers(seed, 'finetune_head').glorotNormal();
  x = tf.layers.dense({ units, activation, name: HEAD_LAYERS.dense, kernelInitializer }).apply(x) as tf.SymbolicTensor;
  if (head.kind === 'tree') x = new DirichletHead({ name: HEAD_LAYERS.dirichlet }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: pretrained.inputs, outputs: x, name: `finetuned_${pretrained.name}` });
}

function headUnits(head: FinetuneHead): number {
  const units = head.kind === 'classes' ? head.classes : head.kind === 'regression' ? head.outputs : head.schema.answerCount;
  if (!Number.isInteger(units) || units < 1 || (head.kind === 'classes' && units < 2)) {
    throw new ConfigError(`finetune: a ${head.kind} head needs ${head.kind === 'classes' ? 'at least 2 classes' : 'at least 1 output'}, got ${units}`);
  }
  return units;
}

function representation(pretrained: tf.LayersModel, encoderOutput: string | undefined): tf.SymbolicTensor {
  const names = pretrained.layers.map((l) => l.name);
  if (encoderOutput !== undefined) {
    if (!names.includes(encoderOutput)) throw new ConfigError(`finetune: no layer '${encoderOutput}' in model '${pretrained.name}'. Layers: ${names.join(', ')}`);
    return pretrained.getLayer(encoderOutput).output as tf.SymbolicTensor;
  }
  if (names.includes('top_dropout')) return pretrained.getLayer('top_dropout').input as tf.SymbolicTensor;
  const [output] = pretrained.outputs;
  if (output === undefined || pretrained.outputs.length !== 1) throw new ConfigError(`finetune: model '${pretrained.name}' must have exactly one output`);
  return output;
}

/**
 * The schema and per-question loss `train` needs for a head. Classes and regression are a
 * one-question schema whose "answers" are the outputs; their losses are `[batch, 1]`.
 *
 * @param head - See {@link FinetuneHead}.
 * @returns The schema and the loss `(labels [batch, outputs], predictions [batch, outputs]) -> [batch, questions]`.
 */
export function headObjective(head: FinetuneHead): { schema: Schema; loss: PerQuestionLoss } {
  const units = headUnits(head);
  if (head.kind === 'tree') return { schema: head.schema, loss: treeLoss(head.schema).perQuestion };
  const question = head.kind === 'classes' ? 'class' : 'target';
  const schema = defineSchema({ [question]: Array.from({ length: units }, (_, i) => String(i)) }, { [question]: null }, { name: `${head.kind}-${units}` });
  const loss: PerQuestionLoss = head.kind === 'classes'
    ? (labels, predictions) => tf.tidy(() => tf.neg(tf.sum(tf.mul(labels, tf.log(tf.clipByValue(predictions, 1e-7, 1))), 1, true)) as tf.Tensor2D)
    : (labels, predictions) => tf.tidy(() => tf.mean(tf.squaredDifference(labels, predictions), 1, true) as tf.Tensor2D);
  return { schema, loss };
}

/**
 * Finetunes `pretrained` on a new task (Zoobot's recipe): stage 0 trains the new head with the
 * encoder frozen; stage k (1..`blocks`) also trains the top k encoder blocks. Each stage uses a
 * fresh {@link AdamW} whose per-variable learning rate is `learningRate` for the head and
 * `learningRate · learningRateDecay^i` for the i-th block from the top (i = 0 for the top block,
 * as in Zoobot). Frozen layers are excluded from the trainable weights, and frozen batch
 * normalisation runs in inference mode (its moving statistics stay as pretrained, as in Keras).
 * Each stage restores its best (validation) weights before the next starts. Checkpointing is not
 * supported across stages.
 *
 * @param options - See {@link FinetuneOptions}.
 * @returns The finetuned model, its head schema and each stage's training result.
 * @example
 * ```ts
 * const { model } = await finetune({ pretrained, head: { kind: 'classes', classes: 3 }, train: source, headEpochs: 5, blocks: 2 });
 * ```
 */
export async function finetune(options: FinetuneOptions): Promise<FinetuneResult> {
  const { pretrained, head, headEpochs = 10, blocks = 0, learningRate = 1e-4, weightDecay = 0.05, learningRateDecay = 0.75, seed = 0 } = options;
  const blockEpochs = options.blockEpochs ?? headEpochs;
  for (const [name, value] of Object.entries({ headEpochs, blocks, blockEpochs })) {
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`finetune: ${name} must be a non-negative integer, got ${value}`);
  }
  if (!(learningRateDecay > 0 && learningRateDecay <= 1)) throw new ConfigError(`finetune: learningRateDecay must be in (0, 1], got ${learningRateDecay}`);
  const model = buildFinetuneModel(pretrained, head, options);
  const { schema, loss } = headObjective(head);
  const encoder = encoderBlocks(model, options.blockOf);
  if (blocks > encoder.length) {
    throw new ConfigError(`finetune: cannot unfreeze ${blocks} blocks; the encoder has ${encoder.length}: ${encoder.map((b) => b.name).join(', ')}`);
  }
  const stages: FinetuneStage[] = [];
  try {
    for (let stage = 0; stage <= blocks; stage += 1) {
      const epochs = stage === 0 ? headEpochs : blockEpochs;
      if (epochs === 0) continue;
      const unfrozen = encoder.slice(0, stage);
      encoder.forEach((block, i) => block.layers.forEach((layer) => setFrozen(layer, i >= stage)));
      const optimizer = new AdamW({ learningRate, weightDecay, learningRateScales: blockScales(unfrozen, learningRateDecay) });
      try {
        const result = await train({
          model, schema, loss, train: options.train, epochs, optimizer, seed: seed + stage,
          ...(options.validation !== undefined ? { validation: options.validation } : {}),
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
          ...(options.callbacks !== undefined ? { callbacks: options.callbacks } : {}),
          ...(options.signal !== undefined ? { signal: options.signal } : {}),
        });
        const record = { stage, unfrozen: unfrozen.map((b) => b.name), result };
        stages.push(record);
        await options.onStageEnd?.(record, model);
        if (result.stopReason === 'aborted') break;
      } finally {
        optimizer.dispose();
      }
    }
  } finally {
    encoder.forEach((block) => block.layers.forEach((layer) => setFrozen(layer, false)));
  }
  return { model, schema, stages };
}

/** Learning-rate multipliers of the unfrozen blocks' variables: decay^i for the i-th block from the top. */
function blockScales(unfrozen: readonly EncoderBlock[], decay: number): Map<string, number> {
  const scales = new Map<string, number>();
  unfrozen.forEach((block, i) => {
    for (const layer of block.layers) for (const weight of layer.trainableWeights) scales.set((weight.read() as tf.Variable).name, decay ** i);
  });
  return scales;
}

type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * Freezes or unfreezes a layer. tfjs's batch normalisation updates its moving statistics whenever
 * it runs in training mode, trainable or not, so a frozen one gets an instance `call` that forces
 * inference mode (Keras's behaviour for frozen batch normalisation).
 */
function setFrozen(layer: tf.layers.Layer, frozen: boolean): void {
  layer.trainable = !frozen;
  if (layer.getClassName() !== 'BatchNormalization') return;
  const instance = layer as unknown as { call: LayerCall };
  if (frozen) {
    const call = (Object.getPrototypeOf(layer) as { call: LayerCall }).call;
    instance.call = (inputs, kwargs) => call.call(layer, inputs, { ...kwargs, training: false });
  } else {
    delete (instance as Partial<typeof instance>).call;
  }
}
