import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'decisionTree/index': 'src/decisionTree/index.ts',
    'losses/index': 'src/losses/index.ts',
    'architectures/index': 'src/architectures/index.ts',
    'data/index': 'src/data/index.ts',
    'metrics/index': 'src/metrics/index.ts',
    'node/index': 'src/node/index.ts',
    'wasm/index': 'src/wasm/index.ts',
    'pretrained/index': 'src/pretrained/index.ts',
    'plots/index': 'src/plots/index.ts',
    cli: 'src/cli/index.ts',
    // Entry of the image-decoding worker threads (src/node/decodePool.ts finds it next to itself or in node/).
    'node/decodeWorker': 'src/node/decodeWorker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'es2022',
  // import.meta.url in the CommonJS build (used to find package files in Node).
  shims: true,
  // Peer dependencies must never be bundled: a second copy of tfjs-core is a second kernel registry.
  external: [/^@tensorflow\//],
});
