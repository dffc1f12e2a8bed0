import type { Command } from 'commander';
import { findSimilarGalaxies } from '../../node/similarGalaxies.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

interface SimilarCliOptions { features: string; id: string; k: number }

/** `zoobot-ts similar`: the galaxies of a representation table most like a chosen one (cosine similarity). */
export function registerSimilar(program: Command): void {
  program.command('similar')
    .description('list the galaxies most similar to one galaxy, by cosine similarity of the features `represent` wrote')
    .requiredOption('--features <file>', 'representation table: id_str plus one column per feature (.parquet, else CSV)')
    .requiredOption('--id <id_str>', 'the galaxy to find look-alikes of')
    .option('--k <n>', 'how many similar galaxies to list', positiveInt, 10)
    .action(async (opts: SimilarCliOptions, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      const result = await findSimilarGalaxies(opts.features, opts.id, { k: opts.k });
      const width = Math.max(6, ...result.neighbours.map((n) => n.id.length));
      const lines = result.neighbours.map((n, i) => `${String(i + 1).padStart(3)}  ${n.id.padEnd(width)}  ${n.similarity.toFixed(4)}`);
      out.result(
        { table: opts.features, ...result },
        [`galaxies most similar to ${result.query} (cosine similarity over ${result.features} features, ${result.galaxies} galaxies):`,
          `  #  ${'id_str'.padEnd(width)}  similarity`, ...lines].join('\n'),
      );
    });
}
