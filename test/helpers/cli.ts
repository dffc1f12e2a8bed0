import { spawn, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const CLI = resolve(ROOT, 'src/cli/index.ts');

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `zoobot-ts <args>` from the sources, as a user would, in a child process. */
export function runCli(args: readonly string[], timeoutMs = 300_000): CliRun {
  const result = spawnSync(TSX, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `zoobot-ts <args>` without waiting (to interrupt it). */
export function startCli(args: readonly string[]) {
  return spawn(TSX, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}
