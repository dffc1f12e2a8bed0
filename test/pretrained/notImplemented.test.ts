// Zoobot publishes MaxViT and EfficientNetV2-S encoders too; zoobot-ts does not build them yet (docs/guide.md).
// A loader given one must refuse it with a typed error naming the architecture and the config file.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadPretrainedEncoder } from '../../src/node/pretrained.js';
import { parseTimmConfig, timmEncoder } from '../../src/pretrained/encoder.js';
import { readSafetensors } from '../../src/pretrained/safetensors.js';
import { fixtureBytes, TIMM_FIXTURES } from './fixtures.js';

/** The timm names of Zoobot's hub repos for these families (mwalmsley/zoobot-encoder-<name>). */
const NOT_IMPLEMENTED = ['maxvit_rmlp_tiny_rw_224', 'maxvit_rmlp_small_rw_224', 'maxvit_base_tf_224', 'maxvit_large_tf_224', 'tf_efficientnetv2_s'];
const FIXTURE = join(TIMM_FIXTURES, 'convnext_conv_mlp');

describe('MaxViT and EfficientNetV2-S encoders (not implemented yet)', () => {
  let scratch = '';
  afterAll(async () => { if (scratch !== '') await rm(scratch, { recursive: true, force: true }); });

  it('should refuse them from a hub folder with a DataError naming the architecture and config.json', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'zoobot-not-implemented-'));
    const config = JSON.parse(await readFile(join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
    await copyFile(join(FIXTURE, 'model.safetensors'), join(scratch, 'model.safetensors'));
    for (const architecture of NOT_IMPLEMENTED) {
      await writeFile(join(scratch, 'config.json'), JSON.stringify({ ...config, architecture }));
      const error = await loadPretrainedEncoder(scratch).catch((e: unknown) => e);
      expect(error, architecture).toBeInstanceOf(DataError);
      expect(error).toMatchObject({ file: join(scratch, 'config.json') });
      expect((error as Error).message).toContain(`architecture '${architecture}' is not supported`);
    }
  });

  it('should refuse them in the browser-safe timmEncoder too, before reading any weight', () => {
    const tensors = readSafetensors(fixtureBytes('convnext_conv_mlp', 'model.safetensors'), 'model.safetensors');
    for (const architecture of NOT_IMPLEMENTED) {
      const config = parseTimmConfig(JSON.stringify({ architecture }), 'config.json');
      expect(() => timmEncoder(config, tensors, { config: 'config.json', weights: 'model.safetensors' }))
        .toThrow(new RegExp(`^config\\.json: architecture '${architecture}' is not supported`));
    }
  });
});
