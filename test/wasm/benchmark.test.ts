// benchmarkModel (behind `zoobot-ts bench`): timm encoders in predict mode, micro-batched training,
// CPU time beside wall time, and typed errors for what it cannot time.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/backends.js';
import { benchmarkModel } from '../../src/node/workflows/benchmark.js';
import { registerWasmTrainingKernels } from '../../src/wasm/index.js';
import { ConfigError } from '../../src/errors.js';

describe('benchmarkModel on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('times a timm EfficientNetB0 encoder in predict mode (Keras B0 no-top, 1 channel: 4,048,988 parameters)', async () => {
    const r = await benchmarkModel({ architecture: 'efficientnet_b0_timm', size: 32, batchSize: 2, mode: 'predict', steps: 1, warmup: 0 });
    expect(r.parameters).toBe(4_048_988);
    expect(r.backend).toBe('wasm');
    expect(r.threads).toBe(1);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.cpuSecondsPerStep).toBeGreaterThan(0);
  });

  it('trains over micro-batches and reports the micro-batch it used', async () => {
    const r = await benchmarkModel({ architecture: 'vgg', size: 32, batchSize: 3, mode: 'train', steps: 1, warmup: 0, microBatch: 2 });
    expect(r.microBatch).toBe(2);
    expect(Number.isFinite(r.secondsPerStep)).toBe(true);
    const whole = await benchmarkModel({ architecture: 'small', size: 32, batchSize: 2, mode: 'train', steps: 1, warmup: 0, microBatch: 8 });
    expect(whole.microBatch).toBe(2);
  });

  it('rejects training a timm encoder, unknown architectures and bad micro-batches', async () => {
    await expect(benchmarkModel({ architecture: 'convnext_nano', size: 32, batchSize: 2, mode: 'train' })).rejects.toThrow(ConfigError);
    await expect(benchmarkModel({ architecture: 'resnet9' as 'vgg', size: 32, batchSize: 2, mode: 'predict' })).rejects.toThrow(/unknown architecture "resnet9"/);
    await expect(benchmarkModel({ architecture: 'vgg', size: 32, batchSize: 2, mode: 'train', microBatch: 0 })).rejects.toThrow(ConfigError);
  });
});
