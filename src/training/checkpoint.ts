import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';

/** A weight array with the name and shape needed to put it back. */
export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

/** One line of the training history. */
export interface EpochRecord {
  /** Zero-based epoch. */
  readonly epoch: number;
  /** Mean training loss per galaxy (sum over questions). */
  readonly loss: number;
  /** Mean validation loss per galaxy, when there is a validation source. */
  readonly validationLoss?: number;
  /** Mean training loss per question, keyed by question. */
  readonly questionLosses: Readonly<Record<string, number>>;
  /** Mean validation loss per question. */
  readonly validationQuestionLosses?: Readonly<Record<string, number>>;
  /** Learning rate in force. */
  readonly learningRate: number;
  /** Factor on the concentrations in this epoch's training loss, during a concentration warm-up. */
  readonly concentrationScale?: number;
  /** Training images per second over the epoch. */
  readonly imagesPerSecond: number;
  /** Wall time of the epoch, seconds. */
  readonly seconds: number;
}

/** Everything needed to continue training exactly where it stopped: taken after each epoch. */
export interface TrainingCheckpoint {
  /** Number of completed epochs. */
  readonly completedEpochs: number;
  readonly modelWeights: readonly NamedArray[];
  readonly optimizerWeights: readonly NamedArray[];
  /** Weights of the best validation epoch so far (early stopping restores them). */
  readonly bestWeights: readonly NamedArray[] | null;
  readonly bestValidationLoss: number;
  readonly bestEpoch: number;
  readonly epochsWithoutImprovement: number;
  readonly history: readonly EpochRecord[];
}

/** Where checkpoints live: memory, files (`zoobot-ts/node`), IndexedDB, ... */
export interface CheckpointStore {
  /** The last checkpoint, or `undefined` when training has not started. */
  load(): Promise<TrainingCheckpoint | undefined>;
  /** Replaces the checkpoint; must be atomic (the old one survives a crash mid-save). */
  save(checkpoint: TrainingCheckpoint): Promise<void>;
}

/** A {@link CheckpointStore} in memory (tests, browsers without storage). */
export function memoryCheckpointStore(): CheckpointStore & { readonly current: TrainingCheckpoint | undefined } {
  let current: TrainingCheckpoint | undefined;
  return {
    get current() { return current; },
    async load() { return current; },
    async save(checkpoint) { current = checkpoint; },
  };
}

/** Copies tensors' values out (the tensors stay owned by the caller). */
export async function toNamedArrays(named: ReadonlyArray<{ name: string; tensor: tf.Tensor }>): Promise<NamedArray[]> {
  return Promise.all(named.map(async ({ name, tensor }) => {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = (await tensor.data()) as Float32Array | Int32Array;
    return { name, shape: [...tensor.shape], dtype, values: dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values) };
  }));
}

/** Fresh tensors from named arrays; the caller owns (and disposes) them. */
export function fromNamedArrays(arrays: readonly NamedArray[]): Array<{ name: string; tensor: tf.Tensor }> {
  return arrays.map((a) => ({ name: a.name, tensor: tf.tensor(a.values, [...a.shape], a.dtype) }));
}

/** The model's weights, in `model.weights` order. */
export async function modelWeightArrays(model: tf.LayersModel): Promise<NamedArray[]> {
  return toNamedArrays(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

/** Puts weights taken by {@link modelWeightArrays} back, checking names and shapes. */
export function setModelWeightArrays(model: tf.LayersModel, arrays: readonly NamedArray[], source = 'checkpoint'): void {
  if (arrays.length !== model.weights.length) {
    throw new DataError(`has ${arrays.length} weights but the model has ${model.weights.length}`, { file: source });
  }
  model.weights.forEach((w, i) => {
    const a = arrays[i] as NamedArray;
    // Shapes, not names, must agree: tfjs numbers auto-named layers per process.
    if (a.shape.join() !== w.shape.join()) {
      throw new DataError(`weight ${i} is ${a.name} [${a.shape.join(', ')}], the model expects ${w.originalName} [${w.shape.join(', ')}]`, { file: source });
    }
  });
  const tensors = fromNamedArrays(arrays).map((t) => t.tensor);
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Serialises a checkpoint to a JSON-able description plus one binary buffer. */
export function encodeCheckpoint(checkpoint: TrainingCheckpoint): { meta: unknown; data: Uint8Array } {
  const groups = { model: checkpoint.modelWeights, optimizer: checkpoint.optimizerWeights, best: checkpoint.bestWeights ?? [] };
  const specs: Record<string, Array<Omit<NamedArray, 'values'>>> = {};
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for (const [group, arrays] of Object.entries(groups)) {
    specs[group] = arrays.map(({ name, shape, dtype, values }) => {
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      bytes += values.byteLength;
      return { name, shape, dtype };
    });
  }
  const data = new Uint8Array(bytes);
  let offset = 0;
  for (const part of parts) { data.set(part, offset); offset += part.byteLength; }
  const { modelWeights: _m, optimizerWeights: _o, bestWeights, ...rest } = checkpoint;
  return { meta: { format: 'zoobot-ts-checkpoint/1', ...rest, hasBest: bestWeights !== null, specs, bytes }, data };
}

/** Inverse of {@link encodeCheckpoint}; `source` names the file in errors. */
export function decodeCheckpoint(meta: unknown, data: Uint8Array, source = 'checkpoint'): TrainingCheckpoint {
  const m = meta as { format?: string; hasBest: boolean; bytes: number; specs: Record<string, Array<Omit<NamedArray, 'values'>>> } & Omit<TrainingCheckpoint, 'modelWeights' | 'optimizerWeights' | 'bestWeights'>;
  if (m?.format !== 'zoobot-ts-checkpoint/1') throw new DataError('is not a zoobot-ts checkpoint', { file: source });
  if (data.byteLength !== m.bytes) throw new DataError(`weights hold ${data.byteLength} bytes, expected ${m.bytes} (truncated?)`, { file: source });
  let offset = 0;
  const read = (specs: Array<Omit<NamedArray, 'values'>> = []): NamedArray[] => specs.map((spec) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = data.slice(offset, offset + count * 4);
    offset += count * 4;
    const values = spec.dtype === 'int32' ? new Int32Array(bytes.buffer) : new Float32Array(bytes.buffer);
    return { ...spec, values };
  });
  const modelWeights = read(m.specs.model);
  const optimizerWeights = read(m.specs.optimizer);
  const best = read(m.specs.best);
  return {
    completedEpochs: m.completedEpochs,
    modelWeights,
    optimizerWeights,
    bestWeights: m.hasBest ? best : null,
    bestValidationLoss: m.bestValidationLoss ?? Number.POSITIVE_INFINITY,
    bestEpoch: m.bestEpoch,
    epochsWithoutImprovement: m.epochsWithoutImprovement,
    history: m.history,
  };
}
