import { SchemaError } from '../errors.js';
import { defineSchema, type Schema } from './schema.js';

/**
 * A copy of `schema` with every question renamed by `rename` (answers keep their text, so
 * every label column and dependency follows the new question names).
 */
export function renameQuestions(schema: Schema, rename: (question: string) => string, name = schema.name): Schema {
  const pairs = Object.fromEntries(schema.questions.map((q) => [rename(q.text), q.answers.map((a) => `_${a.text}`)]));
  const dependencies = Object.fromEntries(
    schema.questions.map((q) => [
      rename(q.text),
      q.dependsOn === null ? null : `${rename(q.dependsOn.question.text)}_${q.dependsOn.text}`,
    ]),
  );
  return defineSchema(pairs, dependencies, { name });
}

/**
 * The "ortho" form of a schema: `suffix` (e.g. `-dr5`) appended to every question, so that
 * votes from different campaigns never share a column.
 * @example `withSuffix(decalsDr5BareSchema, '-dr8')` gives the DR8 schema.
 */
export function withSuffix(schema: Schema, suffix: string, name = schema.name): Schema {
  return renameQuestions(schema, (q) => `${q}${suffix}`, name);
}

/**
 * The bare form of an "ortho" schema: `suffix` removed from the end of every question.
 * Without `suffix`, the campaign suffix shared by all questions (`-dr5`, `-gz2`, ...) is found
 * and removed.
 * @throws {@link SchemaError} when a question does not end in the suffix.
 */
export function withoutSuffix(schema: Schema, suffix?: string, name = schema.name): Schema {
  const strip = suffix ?? commonCampaignSuffix(schema);
  for (const q of schema.questions) {
    if (!q.text.endsWith(strip)) {
      throw new SchemaError(`withoutSuffix: question "${q.text}" does not end in "${strip}"`);
    }
  }
  return renameQuestions(schema, (q) => q.slice(0, q.length - strip.length), name);
}

/** The `-campaign` suffix shared by every question of the schema, or throws. */
export function commonCampaignSuffix(schema: Schema): string {
  const suffixes = new Set(schema.questions.map((q) => /-[a-z0-9]+$/i.exec(q.text)?.[0] ?? ''));
  const [only] = suffixes;
  if (suffixes.size !== 1 || only === undefined || only === '') {
    throw new SchemaError(`Schema '${schema.name}' has no campaign suffix shared by all its questions`);
  }
  return only;
}
