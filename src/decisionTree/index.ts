/**
 * Galaxy Zoo decision trees: schemas, dependency masks, P(question asked), vote counts and
 * fractions, consistency checks and published column names.
 *
 * @module decisionTree
 */
export {
  Schema, defineSchema, dependencyOrder,
  type Answer, type Question, type QuestionAnswerPairs, type Dependencies, type SchemaJSON, type DefineSchemaOptions,
} from './schema.js';
export { renameQuestions, withSuffix, withoutSuffix, commonCampaignSuffix } from './suffix.js';
export * from './builtins.js';
export {
  dependencyIndices, dependencyMask, dependencyMaskTensor, answerToQuestionMatrix,
  askedProbability, askedProbability64, expectedVotes, expectedVotes64,
} from './masks.js';
export * from './counts.js';
export * from './gz2Columns.js';
