/**
 * Prediction tables: one row per galaxy, `id_str` then, per answer, the mean predicted vote
 * fraction and its standard deviation over the MC-dropout mixture, then P(question asked) per
 * question. Written as rows arrive (bounded memory) under a temporary name.
 *
 * @module node/predictionsFile
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Schema } from '../decisionTree/index.js';
import { DataError } from '../errors.js';
import type { PredictedBatch } from '../training/predict.js';
import { summarisePrediction } from '../metrics/predictionSummary.js';
import { AtomicFileWriter } from './atomicFile.js';

/** Column names of a predictions table for `schema`. */
export function predictionColumns(schema: Schema): string[] {
  return [
    'id_str',
    ...schema.labelColumns.flatMap((c) => [`${c}_fraction`, `${c}_std`]),
    ...schema.questions.map((q) => `${q.text}_asked`),
  ];
}

/**
 * The rows of a predictions table, in {@link predictionColumns} order: `id_str`, then per answer
 * the mean fraction and its standard deviation, then P(asked) per question. Shared by the CSV and
 * Parquet writers.
 */
export async function* predictionRows(schema: Schema, batches: AsyncIterable<PredictedBatch>): AsyncGenerator<[string, ...number[]]> {
  for await (const batch of batches) {
    const stride = batch.passes * batch.answers;
    for (let g = 0; g < batch.ids.length; g += 1) {
      const summary = summarisePrediction(batch.concentrations.subarray(g * stride, (g + 1) * stride), batch.passes, schema);
      yield [batch.ids[g] ?? '', ...summary.fractions.flatMap((f, i) => [f, summary.std[i] ?? 0]), ...summary.asked];
    }
  }
}

/**
 * Streams MC-dropout batches into a predictions CSV.
 *
 * @returns the number of galaxies written.
 */
export async function writePredictionsCsv(path: string, schema: Schema, batches: AsyncIterable<PredictedBatch>): Promise<number> {
  const writer = await AtomicFileWriter.create(path);
  let count = 0;
  try {
    await writer.write(`${predictionColumns(schema).join(',')}\n`);
    let lines: string[] = [];
    for await (const [id, ...values] of predictionRows(schema, batches)) {
      lines.push([csvId(id), ...values.map((v) => v.toPrecision(6))].join(','));
      count += 1;
      // Written in blocks: one write per row would dominate on big catalogues.
      if (lines.length === 1024) {
        await writer.write(`${lines.join('\n')}\n`);
        lines = [];
      }
    }
    if (lines.length > 0) await writer.write(`${lines.join('\n')}\n`);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return count;
}

function csvId(id: string): string {
  return /[",\r\n]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id;
}

/**
 * Reads the mean predicted fractions of a predictions CSV, keyed by `id_str`.
 *
 * @throws `DataError` naming the file, row and column for a missing column or bad number.
 */
export async function readPredictedFractions(path: string, schema: Schema): Promise<Map<string, number[]>> {
  const parser = createReadStream(path).pipe(parse({ bom: true, skip_empty_lines: true }));
  const result = new Map<string, number[]>();
  let indices: number[] = [];
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    if (row === 0) {
      indices = ['id_str', ...schema.labelColumns.map((c) => `${c}_fraction`)].map((column) => {
        const i = record.indexOf(column);
        if (i < 0) throw new DataError('missing column', { file: path, row: 0, column });
        return i;
      });
    } else {
      const [idIndex, ...fractionIndices] = indices;
      const fractions = fractionIndices.map((i, k) => {
        const value = Number(record[i]);
        if (!Number.isFinite(value)) throw new DataError(`not a number: "${record[i] ?? ''}"`, { file: path, row, column: `${schema.labelColumns[k]}_fraction` });
        return value;
      });
      result.set(record[idIndex ?? 0] ?? '', fractions);
    }
    row += 1;
  }
  return result;
}
