// `npm run bench [-- name ...]`: runs the named benchmark suites (all by default) and prints
// one JSON document: { machine, suites: { name: result } }. Each suite is bench/<name>.ts
// exporting `run(): Promise<unknown>`. Numbers are images/s or ms; compare ratios within one run.
import { cpus, totalmem } from 'node:os';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'util.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''));
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = requested.length > 0 ? requested : available;

const suites: Record<string, unknown> = {};
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`bench: unknown suite "${name}". Should be one of: ${available.join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run: () => Promise<unknown> };
  suites[name] = await mod.run();
}
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: totalmem() / 2 ** 30 };
console.log(JSON.stringify({ date: new Date().toISOString(), machine, suites }, null, 2));
