// Vite config of the browser demo: imports of zoobot-ts resolve to the repository's sources, and
// the files prepare.ts wrote (model, images, demo.json) are served as the public folder.
//
//   npx tsx examples/browser/prepare.ts && npx vite examples/browser
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '../../src');

export default defineConfig({
  root: here,
  base: './',
  // ZOOBOT_DEMO_DIR: another folder written by prepare.ts.
  publicDir: resolve(process.env.ZOOBOT_DEMO_DIR ?? resolve(here, '../../.zoobot-out/browser-demo')),
  build: { chunkSizeWarningLimit: 2000 }, // tfjs alone is about 900 kB minified
  resolve: {
    alias: [
      { find: /^zoobot-ts$/, replacement: resolve(src, 'index.ts') },
      { find: /^zoobot-ts\/(\w+)$/, replacement: `${src}/$1/index.ts` },
    ],
  },
});
