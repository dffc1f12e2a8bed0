import type { Schema } from '../decisionTree/index.js';
import { ShapeError } from '../errors.js';

/** Rows of numbers: `number[][]` or typed arrays, one row per galaxy. */
export type Rows = ReadonlyArray<ArrayLike<number>>;

/** Checks that predictions and counts are `[galaxy][answer]` tables of the same length. */
export function assertRows(a: Rows, b: Rows, schema: Schema, where: string): void {
  if (a.length !== b.length) throw new ShapeError(`${where}: ${a.length} prediction rows but ${b.length} count rows`);
  for (const [name, rows] of [['prediction', a], ['count', b]] as const) {
    const bad = rows.findIndex((r) => r.length !== schema.answerCount);
    if (bad >= 0) throw new ShapeError(`${where}: ${name} row ${bad} has ${rows[bad]?.length} values, schema '${schema.name}' has ${schema.answerCount} answers`);
  }
}
