import { isInstalled, useNodeBackend } from '../node/backend.js';
import type { CliOutput } from './output.js';
import type { GlobalOptions } from './program.js';

/** Starts the backend the user asked for (wasm when installed, else cpu) and says which. */
export async function startBackend(globals: GlobalOptions, out: CliOutput): Promise<string> {
  const wanted = globals.backend ?? (isInstalled('@tensorflow/tfjs-backend-wasm') ? 'wasm' : 'cpu');
  const backend = await useNodeBackend(wanted);
  out.log(`backend: ${backend}`);
  return backend;
}
