import type { Command } from 'commander';
import { fileSystemHandler } from '../../node/modelIO.js';
import { loadPretrainedEncoder } from '../../node/pretrained.js';
import { startBackend } from '../backend.js';
import { cliOutput } from '../output.js';
import { positiveInt, type GlobalOptions } from '../program.js';

/** `zoobot-ts convert`: a timm hub folder to a tfjs model folder (model.json + weights.bin). */
export function registerConvert(program: Command): void {
  program.command('convert')
    .description('convert a timm encoder folder (config.json + model.safetensors or pytorch_model.bin) to a tfjs model folder')
    .argument('<hubDir>', 'the encoder folder, e.g. a download of mwalmsley/zoobot-encoder-convnext_nano')
    .requiredOption('--out <dir>', 'folder to write model.json and weights.bin to')
    .option('--size <px>', 'fixed input height and width of the converted model', positiveInt, 224)
    .action(async (hubDir: string, opts: { out: string; size: number }, command: Command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const out = cliOutput(globals.json);
      const backend = await startBackend(globals, out);
      const encoder = await loadPretrainedEncoder(hubDir, { imageSize: opts.size });
      await encoder.save(fileSystemHandler(opts.out));
      const features = encoder.outputs[0]?.shape[1];
      encoder.dispose();
      out.result({ backend, model: opts.out, inputShape: [opts.size, opts.size], features }, `wrote the encoder (${features} features) to ${opts.out}`);
    });
}
