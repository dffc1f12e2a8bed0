/**
 * The browser demo (examples/browser) in a real browser: Debian's chromium, driven by
 * playwright-core, loads the page built by Vite from a saved model and synthetic galaxy PNGs. The
 * page must report its backend, and its predictions must match the Node `cpu` backend's for the
 * same model and images: with dropout off, and per MC-dropout pass (the layers' seeded noise
 * streams draw the same masks on every backend). A second browser without WebGL checks the
 * fallback to plain JS.
 *
 * Skips when /usr/bin/chromium is absent, except in CI, where .ci/run installs it.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadZoobotModel, predictMC } from '../../src/architectures/index.js';
import { decodeImageFile, fileSystemHandler } from '../../src/node/index.js';
import { prepareBrowserDemo, type DemoManifest } from '../../examples/browser/prepare.js';
import type { DemoResult } from '../../examples/browser/main.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** With no GPU and no software rasteriser, WebGL cannot start. */
const NO_WEBGL = ['--disable-software-rasterizer', '--disable-webgl', '--disable-webgl2'];
const exampleDir = fileURLToPath(new URL('../../examples/browser/', import.meta.url));
const PASSES = 3;
const TOLERANCE = 1e-3;
const skip = !existsSync(CHROMIUM) && process.env.CI === undefined;

/** Largest absolute difference between two equally shaped nested arrays. */
function maxAbsDifference(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    expect(a.length).toBe(b.length);
    return a.reduce((worst: number, x, i) => Math.max(worst, maxAbsDifference(x, b[i])), 0);
  }
  return Math.abs((a as number) - (b as number));
}

describe.skipIf(skip)(`browser demo in chromium${skip ? ` (skipped: ${CHROMIUM} not found; apt-get install chromium)` : ''}`, () => {
  let workDir = '';
  let site = '';
  let url = '';
  let manifest: DemoManifest;
  let server: PreviewServer | undefined;
  /** Node `cpu` outputs: `[galaxy, answer]` with dropout off, `[galaxy, pass, answer]` with MC dropout. */
  let expected: { deterministic: number[][]; mc: number[][][] };

  /** Opens the page in a fresh chromium profile and returns what it computed. */
  async function runPage(extraFlags: string[] = []): Promise<DemoResult> {
    // launch() makes its own profile and refuses --user-data-dir; a persistent context takes a fresh one.
    const context = await chromium.launchPersistentContext(mkdtempSync(join(workDir, 'profile-')), {
      executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extraFlags],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${url}?passes=${PASSES}`);
      await page.waitForSelector('body[data-status="done"], body[data-status="error"]', { timeout: 90_000 });
      const status = await page.getAttribute('body', 'data-status');
      expect(status, `page failed: ${errors.join('; ')} ${await page.textContent('#status')}`).toBe('done');
      const result = (await page.evaluate(() => window.zoobotDemo)) as DemoResult;
      expect(await page.getAttribute('body', 'data-backend')).toBe(result.backend);
      console.log(`browser demo ran on '${result.backend}': ${result.tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
      return result;
    } finally {
      await context.close();
    }
  }

  /** Checks a page's outputs against the Node `cpu` backend's and logs the largest differences. */
  function expectCloseToNode(result: DemoResult): void {
    const fixedDiff = maxAbsDifference(result.galaxies.map((g) => g.deterministic), expected.deterministic);
    const mcDiff = maxAbsDifference(result.galaxies.map((g) => g.mc), expected.mc);
    console.log(`browser '${result.backend}' vs Node cpu, max |difference| of Dirichlet concentrations: dropout off ${fixedDiff.toExponential(2)}, MC passes ${mcDiff.toExponential(2)}`);
    expect(fixedDiff).toBeLessThan(TOLERANCE);
    expect(mcDiff).toBeLessThan(TOLERANCE);
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'zoobot-browser-'));
    site = join(workDir, 'site');
    manifest = await prepareBrowserDemo({ outDir: site, count: 4, size: 32, seed: 5 });
    const outDir = join(workDir, 'dist');
    const inline = { configFile: join(exampleDir, 'vite.config.ts'), publicDir: site, logLevel: 'warn' as const };
    await build({ ...inline, build: { outDir, emptyOutDir: true } });
    server = await preview({ ...inline, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
    url = server.resolvedUrls?.local[0] ?? '';
    expect(url, 'vite preview gave no local URL').not.toBe('');

    // The reference: the same saved model and PNGs on the Node cpu backend, fresh noise streams.
    await tf.setBackend('cpu');
    const { model } = await loadZoobotModel(fileSystemHandler(join(site, 'model')));
    const pixels = await Promise.all(manifest.images.map(async (image) => (await decodeImageFile(join(site, image), { channels: 1 })).data));
    const x = tf.tensor4d(pixels.flatMap((p) => Array.from(p, (v) => v / 255)), [pixels.length, 32, 32, 1]);
    const deterministic = model.predict(x) as tf.Tensor2D;
    const mc = tf.tidy(() => tf.transpose(predictMC(model, x, PASSES), [1, 0, 2])) as tf.Tensor3D; // [galaxy, pass, answer]
    expected = { deterministic: await deterministic.array(), mc: await mc.array() };
    tf.dispose([x, deterministic, mc]);
    model.dispose();
    // Dropout does change the passes, so the MC comparison is not the deterministic one again.
    expect(maxAbsDifference(expected.mc.map((g) => g[0]), expected.mc.map((g) => g[1]))).toBeGreaterThan(10 * TOLERANCE);
  });

  afterAll(async () => {
    await server?.close();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('reports its backend and predicts within 1e-3 of the Node cpu backend, with dropout off and per seeded MC pass', async () => {
    const result = await runPage();
    // Which backend runs depends on the host: WebGL on SwiftShader under --disable-gpu, or none.
    expect(['webgpu', 'webgl', 'cpu']).toContain(result.backend);
    expect(result.tried.at(-1)).toMatchObject({ name: result.backend, ok: true });
    expect(result.galaxies.map((g) => new URL(g.image).pathname.slice(1))).toEqual(manifest.images);
    expect(result.galaxies[0]?.mc).toHaveLength(PASSES);
    expectCloseToNode(result);
  });

  it('falls back to plain JS when WebGL is unavailable, with the same predictions', async () => {
    const result = await runPage(NO_WEBGL);
    expect(result.backend).toBe('cpu');
    expect(result.tried.find((t) => t.name === 'webgl')?.ok).toBe(false);
    expectCloseToNode(result);
  });
});
