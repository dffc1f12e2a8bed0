// Builds the optional oneDNN addon (native/build/Release/zoobot_native.node) with node-gyp: `npm run build:native`.
// Needs oneDNN's headers and library (Debian/Ubuntu: apt-get install -y libdnnl-dev) and a C++17 compiler.
// Node's own headers are taken from the running Node's install prefix when they are there, so no download is needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = resolve(process.execPath, '..', '..');
const args = ['rebuild', `--directory=${here}`];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const result = spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) console.error(`build:native: could not run node-gyp (${result.error.message}); run this script through npm, which puts its bundled node-gyp on PATH`);
process.exit(result.status ?? 1);
