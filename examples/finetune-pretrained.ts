// Finetuning a pretrained encoder on a new decision tree, Zoobot's recipe: a new head (Dropout 0.5,
// Dense, Dirichlet activation) trained first with the encoder frozen, then encoder blocks unfrozen
// from the top, one more per stage. By default it uses the tiny random-weight ConvNeXt of the tests
// and a few dozen synthetic galaxies; pass a downloaded Zoobot encoder (e.g. `huggingface-cli download
// mwalmsley/zoobot-encoder-convnext_nano --local-dir convnext_nano`) and size 224 for real work.
//
//   npx tsx examples/finetune-pretrained.ts [count=48] [size=32] [epochs=4] [blocks=2] [encoder=test/fixtures/timm/convnext_conv_mlp]
import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
import { generateSyntheticGalaxies } from 'zoobot-ts/data';
import { evaluateLoss, finetune, headObjective, inMemoryBatchSource, type FinetuneHead } from 'zoobot-ts';
import { loadPretrainedEncoder, useNodeBackend } from 'zoobot-ts/node';

const [countArg = '48', sizeArg = '32', epochsArg = '4', blocksArg = '2', encoderDir = 'test/fixtures/timm/convnext_conv_mlp'] = process.argv.slice(2);
const [count, size, epochs, blocks] = [countArg, sizeArg, epochsArg, blocksArg].map(Number) as [number, number, number, number];
await useNodeBackend('wasm'); // wasm with zoobot-ts's training kernels; 'cpu' works too, slowly

// Greyscale images in [0, 1]; a colour encoder is made greyscale by summing its stem's RGB kernels.
const encoder = await loadPretrainedEncoder(encoderDir, { imageSize: size, inChans: 1 });
const schema = decalsDr5Schema;
const galaxies = [...generateSyntheticGalaxies({ count, size, seed: 11, schema })];
const images = new Float32Array(count * size * size);
galaxies.forEach((g, i) => images.set(g.image, i * size * size));
const data = { images, imageShape: [size, size, 1] as [number, number, number], labels: galaxies.map((g) => Array.from(g.counts)) };
const trainSource = inMemoryBatchSource({ ...data, batchSize: 16, seed: 1 });
const head: FinetuneHead = { kind: 'tree', schema };

const result = await finetune({
  pretrained: encoder, head, train: trainSource, headEpochs: epochs, blocks, blockEpochs: epochs,
  learningRate: 3e-3, seed: 1, // Zoobot's 1e-4 suits hundreds of galaxies and many epochs; this is a toy run
});

// The training data's loss in inference mode (no dropout) with the finetuned weights.
const { loss } = headObjective(head);
const final = await evaluateLoss(result.model, loss, inMemoryBatchSource({ ...data, batchSize: 16, shuffle: false }), 0, schema.questions.map((q) => q.text));
for (const { stage, unfrozen, result: r } of result.stages) {
  const trained = unfrozen.length === 0 ? 'new head only' : `new head + encoder blocks ${unfrozen.join(', ')}`;
  console.log(`stage ${stage} (${trained}): training loss per epoch ${r.history.map((e) => e.loss.toFixed(3)).join(' ')}`);
}
console.log(`training-set loss after finetuning (inference mode): ${final.loss.toFixed(3)}`);
result.model.dispose();
