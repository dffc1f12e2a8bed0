import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadZoobotModel, saveZoobotModel, vggW20, zoobotModel } from '../../src/architectures/index.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { DataError } from '../../src/errors.js';
import { MODEL_JSON, WEIGHTS_BIN, fileSystemHandler } from '../../src/node/modelIO.js';
import { useBackend } from '../helpers/backends.js';

describe('fileSystemHandler [wasm]', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(join(tmpdir(), 'zoobot-modelio-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips a zoobot model with identical predictions and its schema', async () => {
    const model = zoobotModel({ schema: decalsDr5Schema, architecture: 'vgg', inputShape: [32, 32, 1], seed: 1 });
    const target = join(dir, 'nested', 'vgg');
    await saveZoobotModel(model, fileSystemHandler(target));
    expect((await readdir(target)).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN]); // no temp files left
    const json = JSON.parse(await readFile(join(target, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
    expect(json.weightsManifest[0]!.paths).toEqual([WEIGHTS_BIN]);
    // weights.bin holds every float32 parameter once.
    expect((await readFile(join(target, WEIGHTS_BIN))).byteLength).toBe(4 * model.countParams());

    const { model: loaded, schema } = await loadZoobotModel(fileSystemHandler(target));
    expect(schema.labelColumns).toEqual(decalsDr5Schema.labelColumns);
    tf.tidy(() => {
      const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 4);
      const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor))).dataSync()[0];
      expect(diff).toBe(0);
    });
  });

  it('works with plain model.save and tf.loadLayersModel', async () => {
    const model = vggW20({ inputShape: [16, 16, 1] });
    const target = join(dir, 'plain');
    await model.save(fileSystemHandler(target));
    const loaded = await tf.loadLayersModel(fileSystemHandler(target));
    const same = model.getWeights().every((w, i) => tf.tidy(() => tf.equal(w, loaded.getWeights()[i]!).all().dataSync()[0] === 1));
    expect(same).toBe(true);
  });

  it('overwrites an earlier save', async () => {
    const target = join(dir, 'twice');
    await vggW20({ inputShape: [16, 16, 1], outputs: 1 }).save(fileSystemHandler(target));
    await vggW20({ inputShape: [16, 16, 1], outputs: 3 }).save(fileSystemHandler(target));
    expect((await tf.loadLayersModel(fileSystemHandler(target))).outputs[0]!.shape).toEqual([null, 3]);
  });

  it('fails with a DataError naming model.json when nothing was saved', async () => {
    const missing = join(dir, 'missing');
    await expect(fileSystemHandler(missing).load!()).rejects.toThrow(DataError);
    await expect(fileSystemHandler(missing).load!()).rejects.toThrow(join(missing, MODEL_JSON));
  });
});
