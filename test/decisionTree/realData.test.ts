// Checks the built-in schemas against real Galaxy Zoo catalogues in ../shared/data.
// The expected figures come from the data folders' READMEs (computed independently there).
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decalsDr5Schema, gz2Schema, gz2ColumnMap, summarizeConsistency, checkConsistency,
} from '../../src/decisionTree/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/sharedData.js';

const DR5_FILE = ['gz_decals_dr5_votes', 'example_panoptes_predictions.csv'];
const GZ2_FILE = ['gz2_stripe82_coadd2', 'table5.csv.gz'];

function readCsv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parse(text) as string[][];
  return { header: header ?? [], rows };
}

describe.skipIf(!hasSharedData(...DR5_FILE))('GZ DECaLS DR5 vote table', () => {
  let header: string[] = [];
  let rows: string[][] = [];
  let voteColumns: string[] = [];
  beforeAll(() => {
    ({ header, rows } = readCsv(readFileSync(sharedDataPath(...DR5_FILE), 'utf8')));
    const questions = decalsDr5Schema.questions.map((q) => q.text);
    voteColumns = header.filter((h) => {
      const question = questions.find((q) => h.startsWith(`${q}_`));
      return question !== undefined && !/_(fraction|min|max|total-votes|prediction(-conf|-encoded)?)$/.test(h);
    });
  });

  it('should recognise every vote column except the old (v1) merging answers the README lists', () => {
    expect(decalsDr5Schema.labelColumns.filter((c) => !header.includes(c))).toEqual([]);
    expect(voteColumns.filter((c) => !decalsDr5Schema.hasColumn(c)).sort())
      .toEqual(['merging_both-v1', 'merging_neither-v1', 'merging_tidal-debris-v1']);
  });

  it('should find no row that breaks the tree (README: 0 of 1,618)', () => {
    const index = decalsDr5Schema.labelColumns.map((c) => header.indexOf(c));
    const counts = rows.map((r) => index.map((i) => (i < 0 ? 0 : Number(r[i]))));
    const summary = summarizeConsistency(counts, decalsDr5Schema);
    expect(summary.rows).toBe(1618);
    expect(summary.inconsistentRows).toBe(0);
  });
});

describe.skipIf(!hasSharedData(...GZ2_FILE))('GZ2 Stripe 82 coadd-2 table', () => {
  const map = gz2ColumnMap(gz2Schema);
  const sourceOf = Object.fromEntries(Object.entries(map).map(([source, column]) => [column, source]));
  let header: string[] = [];
  let rows: string[][] = [];
  let index: number[] = [];
  let counts: number[][] = [];
  beforeAll(() => {
    ({ header, rows } = readCsv(gunzipSync(readFileSync(sharedDataPath(...GZ2_FILE))).toString('utf8')));
    index = gz2Schema.labelColumns.map((c) => header.indexOf(sourceOf[c] ?? ''));
    counts = rows.map((r) => index.map((i) => Number(r[i])));
  });

  it('should map all 37 published _count columns but the 7 of task 08 (odd feature type)', () => {
    const published = header.filter((h) => /^t\d\d_.*_count$/.test(h));
    expect(published).toHaveLength(37);
    expect(published.filter((h) => map[h] === undefined).every((h) => h.startsWith('t08_'))).toBe(true);
    expect(index.every((i) => i >= 0)).toBe(true);
  });

  it('should report the README\'s per-task counts of over-voted questions', () => {
    const summary = summarizeConsistency(counts, gz2Schema);
    expect(summary.rows).toBe(19761);
    expect(summary.byQuestion).toEqual({
      'disk-edge-on': 127, bar: 72, 'has-spiral-arms': 73, 'bulge-size': 79,
      'how-rounded': 351, 'bulge-shape': 31, 'spiral-winding': 44, 'spiral-arm-count': 44,
    });
  });

  it('should give the README\'s 750 broken rows once task 08 vs odd=yes is added to our checks', () => {
    // Task 08 is not in the schema; check it by hand (its total against a14 "odd: yes").
    const t08 = header.map((h, i) => [h, i] as const).filter(([h]) => /^t08_.*_count$/.test(h)).map(([, i]) => i);
    const a14 = header.indexOf('t06_odd_a14_yes_count');
    const broken = rows.filter((r, i) => {
      const t08Total = t08.reduce((sum, j) => sum + Number(r[j]), 0);
      return checkConsistency(counts[i]!, gz2Schema).length > 0 || t08Total > Number(r[a14]);
    });
    expect(broken).toHaveLength(750);
  });
});
