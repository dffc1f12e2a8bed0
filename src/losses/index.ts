/**
 * Losses for Galaxy Zoo vote counts and the special functions behind them.
 *
 * - Special functions as differentiable tfjs ops built from elementwise kernels (no backend
 *   has Lgamma/Digamma): {@link lgamma}, {@link digamma}, {@link trigamma}, and the stable
 *   differences {@link lgammaDiff} (log rising factorial) and {@link digammaDiff}; float64
 *   versions on plain numbers ({@link lgamma64}, {@link digamma64}, {@link trigamma64}).
 * - Per-question losses: {@link dirichletMultinomialNLL} (W+21), {@link betaBinomialNLL},
 *   {@link binomialNLL} (W+20).
 * - The whole-tree loss for `model.compile` and custom loops: {@link treeLoss}.
 * - Dirichlet helpers: {@link dirichletMean}, {@link dirichletVariance},
 *   {@link dirichletMultinomialPmf}, {@link mixtureLogPmf} (MC-dropout posterior predictive),
 *   {@link dirichletMultinomialLogPmf64}.
 *
 * @example
 * ```ts
 * import { treeLoss } from 'zoobot-ts/losses';
 * import { decalsDr5Schema } from 'zoobot-ts/decisionTree';
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: treeLoss(decalsDr5Schema) });
 * ```
 *
 * @module losses
 */
export { lgamma, digamma, trigamma } from './special.js';
export { lgamma64, digamma64, trigamma64 } from './special64.js';
export { lgammaDiff, digammaDiff } from './lgammaDiff.js';
export { dirichletMultinomialNLL } from './dirichletMultinomial.js';
export { betaBinomialNLL } from './betaBinomial.js';
export { binomialNLL } from './binomial.js';
export {
  treeLoss, dirichletMultinomialLoss,
  type TreeLoss, type TreeLossOptions, type TreeLossReduction,
} from './treeLoss.js';
export {
  dirichletMean, dirichletVariance, dirichletMultinomialPmf, mixtureLogPmf, dirichletMultinomialLogPmf64,
} from './dirichlet.js';
export type { ValidateOption } from './validation.js';
