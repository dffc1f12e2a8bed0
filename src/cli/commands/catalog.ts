import type { Command } from 'commander';
import { getSchema } from '../../decisionTree/index.js';
import { combineCatalog } from '../../node/combineCatalog.js';
import { addSchemaOption } from '../options.js';
import { cliOutput } from '../output.js';
import type { GlobalOptions } from '../program.js';

interface CatalogCliOptions { votes: string; images: string; out: string; schema: string; idColumn: string; keep: string[] }

/** `zoobot-ts catalog`: joins a vote table with an image folder into a combined catalogue. */
export function registerCatalog(program: Command): void {
  const catalogCommand = program.command('catalog')
    .description('combine a vote table (CSV, .csv.gz or Parquet) with a folder of <id>.png/.jpg images into a catalogue')
    .requiredOption('--votes <file>', 'vote table with an id column and one vote-count column per answer')
    .requiredOption('--images <dir>', 'folder of images named <id>.png, .jpg or .jpeg')
    .requiredOption('--out <csv>', 'combined catalogue to write (file_loc relative to it)');
  addSchemaOption(catalogCommand)
    .option('--id-column <name>', 'id column of the vote table', 'id_str')
    .option('--keep <column...>', 'extra vote-table columns to carry along', [])
    .action(async (opts: CatalogCliOptions, command: Command) => {
      const out = cliOutput((command.optsWithGlobals() as GlobalOptions).json);
      const result = await combineCatalog({
        votes: opts.votes, imageDir: opts.images, schema: getSchema(opts.schema), idColumn: opts.idColumn, keepColumns: opts.keep, output: opts.out,
      });
      const report = {
        catalog: opts.out, galaxies: result.rows.length, missingImages: result.missingImages.length,
        unmatchedImages: result.unmatchedImages.length, duplicateImages: result.duplicateImages.length,
      };
      out.result(report, `wrote ${report.galaxies} galaxies to ${opts.out}; ${report.missingImages} galaxies without images, ${report.unmatchedImages} images without votes`);
    });
}
