// The browser demo: picks the fastest backend (WebGPU where its package is installed, then WebGL,
// then plain JS), loads a saved zoobot-ts model and the galaxies listed in demo.json, runs
// MC-dropout prediction and draws the decision tree's answer distributions.
//
// Query parameters: `passes` (MC-dropout passes, default 5), `demo` (another manifest URL).
// The page reports its state on <body>: data-status (loading, done, error) and data-backend;
// window.zoobotDemo holds the raw outputs for other programs (the browser test reads them).
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendAttempt } from 'zoobot-ts';
import { loadZoobotModel, predictMC } from 'zoobot-ts/architectures';
import { summarisePrediction } from 'zoobot-ts/metrics';
import { loadPixels } from './pixels.js';
import { renderGalaxy } from './render.js';

/** What the page computed, on `window.zoobotDemo`. */
export interface DemoResult {
  /** The tfjs backend that ran (`webgpu`, `webgl` or `cpu`). */
  readonly backend: string;
  readonly tried: BackendAttempt[];
  readonly passes: number;
  readonly galaxies: ReadonlyArray<{
    readonly image: string;
    /** Dirichlet concentrations with dropout off, `[answers]`. */
    readonly deterministic: number[];
    /** Concentrations of each MC-dropout pass, `[passes, answers]`. */
    readonly mc: number[][];
  }>;
}

declare global {
  interface Window {
    zoobotDemo?: DemoResult;
  }
}

const statusLine = document.getElementById('status')!;

async function run(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const passes = Number(params.get('passes') ?? 5);
  const { backend, tried } = await selectBackend({ prefer: ['webgpu', 'webgl', 'cpu'] });
  document.body.dataset.backend = backend;
  statusLine.textContent = `Backend: ${backend}. ${tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.reason}`).join('; ')}`;

  const manifestUrl = new URL(params.get('demo') ?? 'demo.json', location.href);
  const manifest = (await (await fetch(manifestUrl)).json()) as { model: string; images: string[] };
  const { model, schema } = await loadZoobotModel(new URL(manifest.model, manifestUrl).href);
  const [, height, width, channels] = model.inputs[0]!.shape as [null, number, number, number]; // fixed by the saved model
  const imageUrls = manifest.images.map((image) => new URL(image, manifestUrl).href);
  const pixels = await Promise.all(imageUrls.map((url) => loadPixels(url, height, width, channels === 3 ? 3 : 1)));

  const x = tf.tensor4d(pixels.flatMap((p) => Array.from(p)), [pixels.length, height, width, channels]);
  const deterministic = model.predict(x) as tf.Tensor2D; // [galaxies, answers], dropout off
  const mc = tf.tidy(() => tf.transpose(predictMC(model, x, passes), [1, 0, 2])) as tf.Tensor3D; // [galaxies, passes, answers]
  // array() reads asynchronously, which WebGPU needs (dataSync can return zeros there).
  const [fixed, sampled] = [await deterministic.array(), await mc.array()];
  tf.dispose([x, deterministic, mc]);
  model.dispose();

  const container = document.getElementById('galaxies')!;
  sampled.forEach((passesOfGalaxy, g) => renderGalaxy(container, imageUrls[g]!, summarisePrediction(passesOfGalaxy.flat(), passes, schema), schema));
  window.zoobotDemo = {
    backend, tried, passes,
    galaxies: imageUrls.map((image, g) => ({ image, deterministic: fixed[g]!, mc: sampled[g]! })),
  };
  document.body.dataset.status = 'done';
}

run().catch((error: unknown) => {
  statusLine.textContent = `Error: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.status = 'error';
  throw error;
});
