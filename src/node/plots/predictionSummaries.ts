/**
 * Reads the per-answer fractions and standard deviations of a predictions table (the gallery
 * shows both; `readPredictedFractions` keeps only the fractions).
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Schema } from '../../decisionTree/index.js';
import { DataError } from '../../errors.js';
import type { PredictionSummary } from '../../metrics/predictionSummary.js';

/**
 * The `_fraction` and `_std` columns of the galaxies `ids` in a predictions CSV.
 *
 * @param path - a predictions CSV written by `writePredictionsCsv`.
 * @param ids - the galaxies wanted.
 * @returns their summaries by `id_str` (galaxies absent from the file are absent from the map).
 * @throws `DataError` naming the file, row and column for a missing column or bad number.
 */
export async function readPredictionSummaries(path: string, schema: Schema, ids: ReadonlySet<string>): Promise<Map<string, Pick<PredictionSummary, 'fractions' | 'std'>>> {
  const parser = createReadStream(path).pipe(parse({ bom: true, skip_empty_lines: true }));
  const columns = ['id_str', ...schema.labelColumns.flatMap((c) => [`${c}_fraction`, `${c}_std`])];
  const result = new Map<string, Pick<PredictionSummary, 'fractions' | 'std'>>();
  let indices: number[] = [];
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    if (row === 0) {
      indices = columns.map((column) => {
        const i = record.indexOf(column);
        if (i < 0) throw new DataError('missing column', { file: path, row: 0, column });
        return i;
      });
    } else if (ids.has(record[indices[0] ?? 0] ?? '')) {
      const values = indices.slice(1).map((i, k) => {
        const value = Number(record[i]);
        if (!Number.isFinite(value)) throw new DataError(`not a number: "${record[i] ?? ''}"`, { file: path, row, column: columns[k + 1] ?? '' });
        return value;
      });
      result.set(record[indices[0] ?? 0] ?? '', { fractions: values.filter((_, k) => k % 2 === 0), std: values.filter((_, k) => k % 2 === 1) });
    }
    row += 1;
  }
  return result;
}
