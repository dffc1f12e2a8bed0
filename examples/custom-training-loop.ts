// A hand-written training loop with zoobot-ts's Dirichlet-multinomial loss: any tfjs model
// whose last layer gives one positive concentration per answer can be trained this way.
//
//   npx tsx examples/custom-training-loop.ts [steps]
import * as tf from '@tensorflow/tfjs';
import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
import { treeLoss } from 'zoobot-ts/losses';
import { dirichletHead } from 'zoobot-ts/architectures';
import { generateSyntheticGalaxies } from 'zoobot-ts/data';

const steps = Number(process.argv[2] ?? 30);
await tf.setBackend('cpu'); // the host picks the backend; see docs/guide.md for wasm and GPUs

// 64 synthetic 32 px galaxies, each with the votes of 40 simulated volunteers.
const schema = decalsDr5Schema;
const galaxies = [...generateSyntheticGalaxies({ count: 64, size: 32, seed: 7, schema })];
const images = tf.tensor4d(galaxies.flatMap((g) => Array.from(g.image)), [galaxies.length, 32, 32, 1]);
const votes = tf.tensor2d(galaxies.map((g) => Array.from(g.counts)));

// A deliberately small model: pooled pixels -> Dense -> Dirichlet concentrations in (1, 101).
const input = tf.input({ shape: [32, 32, 1] });
const pooled = tf.layers.averagePooling2d({ poolSize: 4 }).apply(input);
const hidden = tf.layers.dense({ units: 32, activation: 'relu' }).apply(tf.layers.flatten().apply(pooled));
const logits = tf.layers.dense({ units: schema.answerCount }).apply(hidden);
const model = tf.model({ inputs: input, outputs: dirichletHead({}).apply(logits) as tf.SymbolicTensor });

const loss = treeLoss(schema);
const optimizer = tf.train.adam(0.01);
for (let step = 1; step <= steps; step += 1) {
  const { value, grads } = tf.variableGrads(() => loss(votes, model.apply(images) as tf.Tensor) as tf.Scalar);
  // variableGrads returns plain tensors keyed by variable name, which is what applyGradients reads.
  optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
  if (step === 1 || step % 10 === 0 || step === steps) console.log(`step ${step}: loss ${(await value.data())[0]?.toFixed(3)} per galaxy`);
  tf.dispose([value, grads]);
}

// Per-question losses, for logging: [galaxies, questions].
const perQuestion = tf.tidy(() => tf.mean(loss.perQuestion(votes, model.apply(images) as tf.Tensor), 0));
const means = await perQuestion.data();
schema.questions.forEach((q, i) => console.log(`${q.text.padEnd(20)} ${means[i]?.toFixed(3)}`));
tf.dispose([perQuestion, images, votes]);
optimizer.dispose();
model.dispose();
