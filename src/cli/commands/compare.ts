import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { loadCatalogCsv } from '../../node/catalogFiles.js';
import { readPredictedFractions } from '../../node/predictionsFile.js';
import { comparePredictions } from '../../node/workflows/compare.js';
import { writeComparisonPlots } from '../../node/plots/figures.js';
import { addSchemaOption } from '../options.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

/** `zoobot-ts compare`: predictions against volunteer votes. */
export function registerCompare(program: Command): void {
  const compareCommand = program.command('compare')
    .alias('evaluate')
    .description('compare a predictions table with the volunteer votes of a catalogue')
    .requiredOption('--predictions <csv>', 'predictions table written by predict')
    .requiredOption('--catalog <csv>', 'catalogue with id_str and vote counts');
  addSchemaOption(compareCommand)
    .option('--min-votes <n>', 'minimum votes for a question to count in fraction errors', positiveInt, 20)
    .option('--threshold <f>', 'volunteer confidence for the confusion matrices', Number, 0.8)
    .option('--plots <dir>', 'folder for the figures (SVG, and PNG when sharp is installed) [default: plots/ beside the predictions]')
    .option('--no-plots', 'write no figures')
    .action(async (opts: { predictions: string; catalog: string; schema: string; minVotes: number; threshold: number; plots?: string | false }, command: Command) => {
      const out = cliOutput((command.optsWithGlobals() as GlobalOptions).json);
      const schema = getSchema(opts.schema);
      const { rows } = await loadCatalogCsv(opts.catalog, { schema, requireFileLoc: false });
      const predictions = await readPredictedFractions(opts.predictions, schema);
      const report = comparePredictions(predictions, rows, schema, { minVotes: opts.minVotes, threshold: opts.threshold });
      const plots = opts.plots === false ? undefined
        : await writeComparisonPlots(opts.plots ?? join(dirname(opts.predictions), 'plots'), { schema, predictions, rows, report, minVotes: opts.minVotes });
      out.result({ ...report, ...(plots === undefined ? {} : { plots }) }, [
        `${report.galaxies} galaxies compared (${report.missingPredictions} catalogue galaxies without predictions)`,
        ...report.confidentAnswers.map((m, i) => {
          const e = report.fractionErrors[i];
          return `  ${m.question.padEnd(20)} confident accuracy ${Number.isNaN(m.accuracy) ? '  n/a' : m.accuracy.toFixed(3)} (${m.galaxies})  fraction MAE ${e === undefined || Number.isNaN(e.mae) ? '  n/a' : e.mae.toFixed(3)}`;
        }),
        ...(plots === undefined ? [] : [`figures in ${plots.dir}`, ...plots.notes.map((n) => `  ${n}`)]),
      ].join('\n'));
    });
}
