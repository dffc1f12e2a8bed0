/**
 * The published package, as a consumer gets it: `npm pack` the built `dist/`, install the tarball
 * into a fresh project outside the repo (so nothing resolves from the repo's node_modules), then
 * run an ESM and a CommonJS consumer and type-check a TypeScript one (fixtures/consumer.*).
 *
 * Needs a built `dist/` (`npm run build`, done by CI before tests) and the npm registry (for
 * @tensorflow/tfjs and typescript). Set ZOOBOT_SKIP_PACK_TEST=1 to skip it, e.g. offline.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CONSUMERS = ['consumer.mjs', 'consumer.cjs', 'consumer.mts'] as const;
/** Generous ceiling on the tarball: it ships compiled JS, maps and declarations only. */
const MAX_TARBALL_BYTES = 10 * 1024 * 1024;

const skipReason = process.env.ZOOBOT_SKIP_PACK_TEST === '1'
  ? 'ZOOBOT_SKIP_PACK_TEST=1'
  : existsSync(join(repoRoot, 'dist', 'index.js')) ? undefined : 'no dist/ (run `npm run build` first)';

/** One entry of `npm pack --json`. */
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** Every file path named in package.json `exports`, `main`, `module` and `types`. */
function declaredEntryFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const paths: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') paths.push(node.replace(/^\.\//, ''));
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk([pkg.exports, pkg.main, pkg.module, pkg.types]);
  return [...new Set(paths)];
}

describe.skipIf(skipReason !== undefined)(`packed zoobot-ts in a fresh project${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let workDir = '';
  let project = '';
  let pack: PackResult;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'zoobot-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: repoRoot, maxBuffer: 64 << 20 });
    const results = JSON.parse(stdout) as PackResult[];
    expect(results).toHaveLength(1);
    pack = results[0]!;

    project = join(workDir, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'zoobot-consumer', private: true, type: 'module' }));
    for (const file of CONSUMERS) copyFileSync(join(fixtures, file), join(project, file));
    await run('npm', ['install', join(workDir, pack.filename), '@tensorflow/tfjs@4.22.0', 'typescript@~5.9', '--no-audit', '--no-fund'], {
      cwd: project, maxBuffer: 64 << 20,
    });
  }, 300_000);

  afterAll(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  it('ships dist/, README.md and package.json only, including every declared entry point', () => {
    const paths = pack.files.map((f) => f.path);
    const stray = paths.filter((p) => !(p.startsWith('dist/') || p === 'README.md' || p === 'package.json' || /^LICEN[CS]E/.test(p)));
    expect(stray).toEqual([]);
    const sources = paths.filter((p) => /\.[cm]?ts$/.test(p) && !/\.d\.[cm]?ts$/.test(p));
    expect(sources).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(src|test|fixtures)\//.test(p))).toEqual([]);
    const missing = declaredEntryFiles().filter((p) => !paths.includes(p));
    expect(missing).toEqual([]);
  });

  it(`keeps the tarball under ${MAX_TARBALL_BYTES / 2 ** 20} MB`, () => {
    const bytes = statSync(join(workDir, pack.filename)).size;
    console.log(`zoobot-ts tarball: ${(bytes / 1024).toFixed(0)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${pack.files.length} files`);
    expect(bytes).toBe(pack.size);
    expect(bytes).toBeLessThan(MAX_TARBALL_BYTES);
  });

  // Each consumer exits non-zero unless three Adam steps on treeLoss lowered the loss.
  it.each(['consumer.mjs', 'consumer.cjs'])('trains through the public API from %s', async (script) => {
    const { stdout } = await run('node', [script], { cwd: project });
    expect(stdout).toMatch(/losses( -?\d+(\.\d+)?(e[-+]\d+)?){3}/);
  });

  it('type-checks a TypeScript consumer with tsc --strict (module nodenext)', async () => {
    // tfjs 4.22's own declarations fail strict checking (TS2411/TS2420 in tfjs-layers), so keep
    // skipLibCheck off, to check zoobot-ts's .d.ts, and ignore only errors inside @tensorflow.
    const { failed, output } = await run('npx', ['tsc', '--strict', '--noEmit', '--module', 'nodenext', '--target', 'es2022', 'consumer.mts'], { cwd: project })
      .then(({ stdout }) => ({ failed: false, output: stdout }),
        (error: { stdout?: string; stderr?: string }) => ({ failed: true, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }));
    const allErrors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    // A failure with no TS diagnostics (tsc missing, crashed) must not pass as "no errors".
    if (failed) expect(allErrors.length, output).toBeGreaterThan(0);
    expect(allErrors.filter((line) => !line.startsWith('node_modules/@tensorflow/'))).toEqual([]);
  });
});
