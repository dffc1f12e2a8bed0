import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'zoobot-similar-cli-'));
/** Galaxy i points at angle 0.7·i (radius 1 + i): its cosine similarity with galaxy j is cos(0.7·(i - j)). */
const ANGLE = 0.7;
const table = join(work, 'features.csv');
writeFileSync(table, `id_str,feat_0,feat_1\n${Array.from({ length: 8 }, (_, i) => `g${i},${(1 + i) * Math.cos(ANGLE * i)},${(1 + i) * Math.sin(ANGLE * i)}`).join('\n')}\n`);

describe('zoobot-ts similar', () => {
  it('lists the k most similar galaxies with their cosine similarities (JSON and text)', () => {
    const q = 3;
    const expected = Array.from({ length: 8 }, (_, i) => ({ id: `g${i}`, similarity: Math.cos(ANGLE * (i - q)) }))
      .filter((x) => x.id !== `g${q}`).sort((a, b) => b.similarity - a.similarity).slice(0, 3);
    const json = runCli(['similar', '--features', table, '--id', `g${q}`, '--k', '3', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { query: string; galaxies: number; neighbours: { id: string; similarity: number }[] };
    expect(result).toMatchObject({ query: `g${q}`, galaxies: 8 });
    expect(result.neighbours.map((n) => n.id)).toEqual(expected.map((n) => n.id));
    result.neighbours.forEach((n, i) => expect(n.similarity).toBeCloseTo(expected[i]?.similarity as number, 12));
    const text = runCli(['similar', '--features', table, '--id', `g${q}`, '--k', '3']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`galaxies most similar to g${q}`);
    expect(text.stdout).toMatch(new RegExp(`1\\s+${expected[0]?.id}\\s+${(expected[0]?.similarity as number).toFixed(4)}`));
  });

  it('fails with a typed error naming the id, or the file, row and column', () => {
    const unknown = runCli(['similar', '--features', table, '--id', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/DataError: .*"nobody"/);
    expect(unknown.stderr).toContain(table);
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'id_str,feat_0\na,1\nb,x\n');
    const nonNumeric = runCli(['similar', '--features', bad, '--id', 'a']);
    expect(nonNumeric.code).toBe(2);
    expect(nonNumeric.stderr).toMatch(/DataError: .*bad\.csv.*row 2.*feat_0/);
  });
});
