import { SchemaError } from '../errors.js';

/**
 * Questions and their answer suffixes, in label-column order, in the shape Zoobot uses:
 * `{ 'smooth-or-featured-dr5': ['_smooth', '_featured-or-disk', '_artifact'], ... }`.
 * A suffix without a leading `_` gets one.
 */
export type QuestionAnswerPairs = Readonly<Record<string, readonly string[]>>;

/**
 * For each question, the label column of the answer that leads to it, or `null` when the
 * question is always asked: `{ 'disk-edge-on-dr5': 'smooth-or-featured-dr5_featured-or-disk', ... }`.
 * Entries for questions that are not in the pairs are ignored, so Zoobot's combined
 * dictionaries (DR1/2 + DR5 + DR8 in one) can be passed as they are.
 */
export type Dependencies = Readonly<Record<string, string | null>>;

/** One answer of a question: one label column. */
export interface Answer {
  /** The answer's own text, e.g. `featured-or-disk`. */
  readonly text: string;
  /** The full label column, `<question><suffix>`, e.g. `smooth-or-featured-dr5_featured-or-disk`. */
  readonly column: string;
  /** Index of this column in the schema's flat label vector. */
  readonly index: number;
  /** The question this answer belongs to. */
  readonly question: Question;
}

/** One question of the decision tree. */
export interface Question {
  /** The question's name, e.g. `smooth-or-featured-dr5`. */
  readonly text: string;
  /** Position of this question in the schema. */
  readonly index: number;
  /** The answers, in column order. */
  readonly answers: readonly Answer[];
  /** Index of the first answer in the flat label vector. */
  readonly startIndex: number;
  /** One past the index of the last answer (half-open range). */
  readonly endIndex: number;
  /** The answer that leads to this question, or `null` when it is always asked. */
  readonly dependsOn: Answer | null;
}

/** The plain-JSON form of a schema, as stored with a saved model. */
export interface SchemaJSON {
  readonly name: string;
  readonly pairs: Record<string, string[]>;
  readonly dependencies: Record<string, string | null>;
}

/**
 * An immutable Galaxy Zoo decision tree: ordered questions, each with ordered answers, and
 * for each question the answer that leads to it. Build one with {@link defineSchema} or use
 * a built-in such as `decalsDr5Schema`.
 */
export class Schema {
  /** A short name, e.g. `decals-dr5`. */
  readonly name: string;
  /** Questions in label-column order. */
  readonly questions: readonly Question[];
  /** All answers, flattened in label-column order. */
  readonly answers: readonly Answer[];
  /** Label column names in order (`answers.map(a => a.column)`). */
  readonly labelColumns: readonly string[];

  private readonly questionByText: ReadonlyMap<string, Question>;
  private readonly answerByColumn: ReadonlyMap<string, Answer>;

  /** @internal Use {@link defineSchema}. */
  constructor(name: string, questions: readonly Question[]) {
    this.name = name;
    this.questions = Object.freeze([...questions]);
    this.answers = Object.freeze(questions.flatMap((q) => q.answers));
    this.labelColumns = Object.freeze(this.answers.map((a) => a.column));
    this.questionByText = new Map(questions.map((q) => [q.text, q]));
    this.answerByColumn = new Map(this.answers.map((a) => [a.column, a]));
    Object.freeze(this);
  }

  /** Number of label columns (answers). */
  get answerCount(): number {
    return this.answers.length;
  }

  /** Number of questions. */
  get questionCount(): number {
    return this.questions.length;
  }

  /** `[startIndex, endIndex)` of each question's answers in the label vector. */
  get questionIndexGroups(): ReadonlyArray<readonly [number, number]> {
    return this.questions.map((q) => [q.startIndex, q.endIndex] as const);
  }

  /** The question with this name; throws {@link SchemaError} listing the valid names otherwise. */
  getQuestion(text: string): Question {
    const question = this.questionByText.get(text);
    if (question === undefined) {
      throw new SchemaError(
        `Schema '${this.name}': unknown question "${text}". Should be one of: ${[...this.questionByText.keys()].join(', ')}`,
      );
    }
    return question;
  }

  /** The answer with this full label column; throws {@link SchemaError} otherwise. */
  getAnswer(column: string): Answer {
    const answer = this.answerByColumn.get(column);
    if (answer === undefined) {
      throw new SchemaError(
        `Schema '${this.name}': unknown label column "${column}". Should be one of: ${this.labelColumns.join(', ')}`,
      );
    }
    return answer;
  }

  /** Whether the schema has this question. */
  hasQuestion(text: string): boolean {
    return this.questionByText.has(text);
  }

  /** Whether the schema has this label column. */
  hasColumn(column: string): boolean {
    return this.answerByColumn.has(column);
  }

  /** The questions that the given answer leads to. */
  childrenOf(answer: Answer): readonly Question[] {
    return this.questions.filter((q) => q.dependsOn === answer);
  }

  /** The Zoobot-shaped `pairs` of this schema (suffixes with their leading `_`). */
  get pairs(): Record<string, string[]> {
    return Object.fromEntries(this.questions.map((q) => [q.text, q.answers.map((a) => `_${a.text}`)]));
  }

  /** The Zoobot-shaped `dependencies` of this schema. */
  get dependencies(): Record<string, string | null> {
    return Object.fromEntries(this.questions.map((q) => [q.text, q.dependsOn?.column ?? null]));
  }

  /** Plain JSON, so that a saved model carries its tree. Inverse of {@link Schema.fromJSON}. */
  toJSON(): SchemaJSON {
    return { name: this.name, pairs: this.pairs, dependencies: this.dependencies };
  }

  /** Rebuilds (and re-validates) a schema from {@link Schema.toJSON}'s output. */
  static fromJSON(json: SchemaJSON | string): Schema {
    const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    if (!isSchemaJSON(parsed)) {
      throw new SchemaError('Schema.fromJSON: expected an object with "name", "pairs" and "dependencies"');
    }
    return defineSchema(parsed.pairs, parsed.dependencies, { name: parsed.name });
  }
}

function isSchemaJSON(value: unknown): value is SchemaJSON {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.pairs === 'object' && v.pairs !== null
    && typeof v.dependencies === 'object' && v.dependencies !== null;
}

/** Options of {@link defineSchema}. */
export interface DefineSchemaOptions {
  /** A short name for messages and saved models. @defaultValue `'custom'` */
  readonly name?: string;
}

/**
 * Builds and validates a {@link Schema} from Zoobot-shaped plain objects.
 *
 * @param pairs - question -> answer suffixes, in label-column order.
 * @param dependencies - question -> label column of the answer that leads to it, or `null`.
 *   Every question in `pairs` needs an entry; extra entries are ignored.
 * @throws {@link SchemaError} for an empty question, a duplicate column, a missing or unknown
 *   dependency, or a cycle, naming the culprit.
 * @example
 * ```ts
 * const schema = defineSchema(
 *   { 'smooth-or-featured': ['_smooth', '_featured'], 'edge-on': ['_yes', '_no'] },
 *   { 'smooth-or-featured': null, 'edge-on': 'smooth-or-featured_featured' },
 * );
 * schema.getQuestion('edge-on').dependsOn?.column; // 'smooth-or-featured_featured'
 * ```
 */
export function defineSchema(
  pairs: QuestionAnswerPairs,
  dependencies: Dependencies,
  options: DefineSchemaOptions = {},
): Schema {
  const name = options.name ?? 'custom';
  const where = `defineSchema('${name}')`;
  const questionTexts = Object.keys(pairs);
  if (questionTexts.length === 0) throw new SchemaError(`${where}: a schema needs at least one question`);

  // Build questions and answers first, then resolve dependencies against the finished columns.
  const questions: MutableQuestion[] = [];
  const answerByColumn = new Map<string, MutableAnswer>();
  let index = 0;
  for (const [questionIndex, text] of questionTexts.entries()) {
    if (text.length === 0) throw new SchemaError(`${where}: a question has an empty name`);
    const suffixes = pairs[text] ?? [];
    if (!Array.isArray(suffixes) || suffixes.length === 0) {
      throw new SchemaError(`${where}: question "${text}" has no answers`);
    }
    const question: MutableQuestion = {
      text, index: questionIndex, answers: [], startIndex: index, endIndex: index + suffixes.length, dependsOn: null,
    };
    for (const rawSuffix of suffixes) {
      const suffix = rawSuffix.startsWith('_') ? rawSuffix : `_${rawSuffix}`;
      if (suffix.length < 2) throw new SchemaError(`${where}: question "${text}" has an empty answer`);
      const column = `${text}${suffix}`;
      if (answerByColumn.has(column)) throw new SchemaError(`${where}: duplicate label column "${column}"`);
      const answer: MutableAnswer = { text: suffix.slice(1), column, index, question: question as Question };
      answerByColumn.set(column, answer);
      question.answers.push(answer);
      index += 1;
    }
    questions.push(question);
  }

  for (const question of questions) {
    if (!Object.prototype.hasOwnProperty.call(dependencies, question.text)) {
      throw new SchemaError(
        `${where}: question "${question.text}" has no entry in dependencies (use null for a question that is always asked)`,
      );
    }
    const column = dependencies[question.text];
    if (column === null || column === undefined) continue;
    const parent = answerByColumn.get(column);
    if (parent === undefined) {
      throw new SchemaError(
        `${where}: question "${question.text}" depends on unknown answer "${column}"`,
      );
    }
    question.dependsOn = parent as Answer;
  }

  assertAcyclic(questions, where);
  for (const question of questions) {
    for (const answer of question.answers) Object.freeze(answer);
    Object.freeze(question.answers);
    Object.freeze(question);
  }
  return new Schema(name, questions);
}

type MutableAnswer = { -readonly [K in keyof Answer]: Answer[K] };
type MutableQuestion = Omit<{ -readonly [K in keyof Question]: Question[K] }, 'answers'> & { answers: Answer[] };

function assertAcyclic(questions: readonly MutableQuestion[], where: string): void {
  for (const start of questions) {
    const seen = new Set<string>([start.text]);
    let parent = start.dependsOn?.question;
    while (parent !== undefined) {
      if (seen.has(parent.text)) {
        throw new SchemaError(`${where}: dependency cycle through question "${start.text}" (via ${[...seen].join(' -> ')})`);
      }
      seen.add(parent.text);
      parent = parent.dependsOn?.question;
    }
  }
}

/**
 * The questions of a schema ordered so that every question comes after the question of the
 * answer it depends on (a topological order; stable with respect to column order).
 */
export function dependencyOrder(schema: Schema): readonly Question[] {
  const depth = (q: Question): number => (q.dependsOn === null ? 0 : 1 + depth(q.dependsOn.question));
  return [...schema.questions].sort((a, b) => depth(a) - depth(b) || a.index - b.index);
}
