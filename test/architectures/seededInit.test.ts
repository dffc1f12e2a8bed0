import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { efficientNetB0, smallConvNet, vggW20, zoobotModel, type ZoobotArchitecture } from '../../src/architectures/index.js';
import { seededInitializers } from '../../src/architectures/initializers.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { buildFinetuneModel } from '../../src/training/finetune.js';
import { useBackend } from '../helpers/backends.js';

const ARCHITECTURES: ReadonlyArray<[ZoobotArchitecture, [number, number, number]]> = [
  ['small', [32, 32, 1]], ['vgg', [32, 32, 1]], ['efficientnetb0', [32, 32, 1]],
];

const build = (architecture: ZoobotArchitecture, inputShape: [number, number, number], seed?: number): tf.LayersModel =>
  zoobotModel({ schema: decalsDr5Schema, architecture, inputShape, ...(seed !== undefined ? { seed } : {}) });

/** A weight's raw float bits (a copy, so -0/0 and NaN payloads compare exactly). */
const bitsOf = (w: tf.LayerVariable): Uint32Array => new Uint32Array(new Float32Array(w.read().dataSync()).buffer);

/** Every weight by its path, as raw float bits. */
function weightBits(model: tf.LayersModel): Map<string, Uint32Array> {
  return new Map(model.weights.map((w) => [w.originalName, bitsOf(w)]));
}

const maxAbs = (v: Float32Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** The randomly initialised weights: conv, depthwise and dense kernels. */
const kernels = (model: tf.LayersModel): tf.LayerVariable[] => model.weights.filter((w) => /kernel$/.test(w.originalName));

const bitsEqual = (a: Uint32Array, b: Uint32Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Sample variance about the known mean 0, in float64. */
const varianceAboutZero = (v: Float32Array): number => v.reduce((s, x) => s + x * x, 0) / v.length;

/** ∫_a^b f by composite Simpson with n (even) panels, in float64. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i += 1) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Variance of a unit normal truncated to [-2, 2] (tfjs's truncatedNormal), by quadrature. */
function truncatedUnitNormalVariance(): number {
  const pdf = (x: number): number => Math.exp(-0.5 * x * x);
  return simpson((x) => x * x * pdf(x), -2, 2) / simpson(pdf, -2, 2);
}

/** Sees every kernel of a model, by name, with its initialiser's serialized config. */
function initializerConfigs(model: tf.LayersModel): Map<string, { className: string; config: Record<string, unknown> }> {
  const out = new Map<string, { className: string; config: Record<string, unknown> }>();
  const visit = (layer: tf.layers.Layer): void => {
    if (layer instanceof tf.LayersModel) {
      layer.layers.forEach(visit);
      return;
    }
    const config = layer.getConfig() as Record<string, unknown>;
    for (const key of ['kernelInitializer', 'depthwiseInitializer']) {
      const init = config[key] as { className: string; config: Record<string, unknown> } | undefined;
      if (init !== undefined && layer.weights.length > 0) out.set(`${layer.name}/${key}`, init);
    }
  };
  model.layers.forEach(visit);
  return out;
}

describe('seeded weight initialisation [cpu]', () => {
  beforeAll(async () => useBackend('cpu'));

  it.each(ARCHITECTURES)('%s: the same seed gives bitwise-identical weights, another seed different kernels', (architecture, inputShape) => {
    const before = tf.memory().numTensors;
    const a = build(architecture, inputShape, 11);
    const b = build(architecture, inputShape, 11);
    const c = build(architecture, inputShape, 12);
    const [wa, wb, wc] = [weightBits(a), weightBits(b), weightBits(c)];
    expect([...wb.keys()]).toEqual([...wa.keys()]);
    for (const [name, bits] of wa) expect(bitsEqual(bits, wb.get(name)!), name).toBe(true);
    const kernelNames = kernels(a).map((w) => w.originalName);
    expect(kernelNames.length).toBeGreaterThan(0);
    for (const name of kernelNames) expect(bitsEqual(wa.get(name)!, wc.get(name)!), name).toBe(false);
    [a, b, c].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(ARCHITECTURES)('%s: no two same-shaped kernels of one model are identical', (architecture, inputShape) => {
    const model = build(architecture, inputShape, 5);
    const bySize = new Map<string, Array<[string, Uint32Array]>>();
    for (const w of kernels(model)) {
      const key = w.shape.join('x');
      bySize.set(key, [...(bySize.get(key) ?? []), [w.originalName, bitsOf(w)]]);
    }
    let pairs = 0;
    for (const group of bySize.values()) {
      for (let i = 0; i < group.length; i += 1) {
        for (let j = i + 1; j < group.length; j += 1) {
          pairs += 1;
          expect(bitsEqual(group[i]![1], group[j]![1]), `${group[i]![0]} vs ${group[j]![0]}`).toBe(false);
        }
      }
    }
    if (architecture === 'efficientnetb0') expect(pairs).toBeGreaterThan(0); // B0 repeats block shapes
    model.dispose();
  });

  it.each(ARCHITECTURES)('%s: seeding changes only the seed of each initialiser, not its class or parameters', (architecture, inputShape) => {
    const seeded = build(architecture, inputShape, 3);
    const unseeded = build(architecture, inputShape);
    const s = initializerConfigs(seeded);
    const u = initializerConfigs(unseeded);
    expect([...s.keys()]).toEqual([...u.keys()]);
    const seeds = new Set<unknown>();
    for (const [name, init] of s) {
      const plain = u.get(name)!;
      expect(plain.config.seed ?? undefined, name).toBeUndefined();
      expect(typeof init.config.seed, name).toBe('number');
      seeds.add(init.config.seed);
      const { seed: _s, ...rest } = init.config;
      const { seed: _u, ...plainRest } = plain.config;
      expect({ className: init.className, config: rest }, name).toEqual({ className: plain.className, config: plainRest });
    }
    expect(seeds.size).toBe(s.size); // one derived seed per layer
    seeded.dispose();
    unseeded.dispose();
  });

  it('without a seed, two builds still start from different weights (unseeded as before)', () => {
    const a = build('small', [32, 32, 1]);
    const b = build('small', [32, 32, 1]);
    const [ka, kb] = [kernels(a), kernels(b)];
    ka.forEach((w, i) => expect(bitsEqual(bitsOf(w), bitsOf(kb[i]!)), w.originalName).toBe(false));
    a.dispose();
    b.dispose();
  });

  it('seed 0 is a seed (tfjs treats a raw truncated-normal seed of 0 as unseeded)', () => {
    const [a, b] = [build('small', [32, 32, 1], 0), build('small', [32, 32, 1], 0)];
    const [wa, wb] = [weightBits(a), weightBits(b)];
    for (const [name, bits] of wa) expect(bitsEqual(bits, wb.get(name)!), name).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('the standalone builders are reproducible too', () => {
    for (const make of [
      () => smallConvNet({ inputShape: [32, 32, 1], seed: 9 }),
      () => vggW20({ inputShape: [32, 32, 1], seed: 9 }),
      () => efficientNetB0({ inputShape: [32, 32, 1], includeTop: true, classes: 10, seed: 9 }),
      () => buildFinetuneModel(smallConvNet({ inputShape: [32, 32, 1], seed: 9 }), { kind: 'classes', classes: 3 }, { seed: 9 }),
    ]) {
      const [a, b] = [make(), make()];
      const [wa, wb] = [weightBits(a), weightBits(b)];
      for (const [name, bits] of wa) expect(bitsEqual(bits, wb.get(name)!), `${a.name} ${name}`).toBe(true);
      a.dispose();
      b.dispose();
    }
  });

  describe('seeded kernels keep their initialiser variance', () => {
    // Relative standard error of a sample variance is sqrt((kurtosis - 1) / n); allow 5 of them.
    const tolerance = (kurtosis: number, n: number): number => 5 * Math.sqrt((kurtosis - 1) / n);

    it('Glorot normal (tfjs default, truncated at 2σ): fc1 of the VGG top and a small-net conv', () => {
      const model = build('vgg', [32, 32, 1], 21);
      const fc1 = model.weights.find((w) => w.originalName === 'fc1/kernel')!;
      const [fanIn, fanOut] = fc1.shape as [number, number]; // [512, 128]
      const values = fc1.read().dataSync() as Float32Array;
      const sigma2 = 2 / (fanIn + fanOut);
      const expected = sigma2 * truncatedUnitNormalVariance(); // ≈ 0.7737 σ²
      expect(Math.abs(varianceAboutZero(values) / expected - 1)).toBeLessThan(tolerance(3, values.length));
      expect(maxAbs(values)).toBeLessThanOrEqual(2 * Math.sqrt(sigma2) * (1 + 1e-6));
      model.dispose();

      const small = smallConvNet({ inputShape: [32, 32, 1], seed: 21 });
      const conv = small.weights.find((w) => w.originalName === 'block4_conv/kernel')!; // [3, 3, 64, 64]
      const v = conv.read().dataSync() as Float32Array;
      const s2 = 2 / (9 * 64 + 9 * 64);
      expect(Math.abs(varianceAboutZero(v) / (s2 * truncatedUnitNormalVariance()) - 1)).toBeLessThan(tolerance(3, v.length));
      small.dispose();
    });

    it('EfficientNet conv VarianceScaling(2, fanOut): variance 2/fan_out on top_conv, as unseeded', () => {
      const model = efficientNetB0({ inputShape: [32, 32, 1], seed: 21 });
      const top = model.weights.find((w) => w.originalName === 'top_conv/kernel')!; // [1, 1, 320, 1280]
      const values = top.read().dataSync() as Float32Array;
      const fanOut = top.shape[3]!;
      // tfjs 4.22's VarianceScaling draws 'truncatedNormal' from a uniform of the same variance (only 'normal'
      // is truncated normal), so the bound is sqrt(3 · 2 / fanOut) and the kurtosis that of a uniform (1.8).
      expect(Math.abs(varianceAboutZero(values) / (2 / fanOut) - 1)).toBeLessThan(tolerance(1.8, values.length));
      expect(maxAbs(values)).toBeLessThanOrEqual(Math.sqrt(6 / fanOut) * (1 + 1e-6));
      model.dispose();
    });
  });
});

describe('seededInitializers', () => {
  it('hands out distinct derived seeds in [1, 2^32) for any seed and scope', () => {
    fc.assert(fc.property(fc.integer(), fc.string(), fc.integer({ min: 1, max: 300 }), (seed, scope, n) => {
      const init = seededInitializers(seed, scope);
      const seeds = Array.from({ length: n }, () => init.nextSeed()!);
      expect(new Set(seeds).size).toBe(n);
      expect(seeds.every((s) => Number.isInteger(s) && s >= 1 && s < 2 ** 32)).toBe(true);
    }));
  });

  it('repeats for the same seed and scope, differs across scopes', () => {
    const take = (seed: number, scope: string): number[] => {
      const init = seededInitializers(seed, scope);
      return [init.nextSeed()!, init.nextSeed()!];
    };
    expect(take(4, 'a')).toEqual(take(4, 'a'));
    expect(take(4, 'a')).not.toEqual(take(4, 'b'));
    expect(take(4, 'a')).not.toEqual(take(5, 'a'));
  });

  it('without a seed gives no seeds and the layers\' own default', () => {
    const init = seededInitializers(undefined, 'x');
    expect(init.nextSeed()).toBeUndefined();
    expect(init.glorotNormal()).toBe('glorotNormal');
    expect(init.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform' }).getConfig().seed).toBeUndefined();
  });
});
