/**
 * Networks for Galaxy Zoo morphology, built from tf.layers so they run on any tfjs backend:
 * EfficientNet-B0 (B1-B7) with Keras's structure and layer names, the W+20 VGG, Zoobot's model with
 * its Dirichlet head, MC dropout prediction, serializable augmentation layers, saving with the schema,
 * and Keras HDF5 weight import.
 *
 * Importing this module registers the custom layers with tfjs serialization.
 *
 * @module architectures
 */
export {
  efficientNet, efficientNetB0, efficientNetVariant, roundFilters, roundRepeats, DEFAULT_BLOCKS_ARGS, EFFICIENTNET_VARIANTS,
  type BlockArgs, type EfficientNetOptions, type EfficientNetVariant,
} from './efficientNet.js';
export { vggW20, type VggW20Options } from './vgg.js';
export {
  zoobotModel, modelSchema, ZOOBOT_ARCHITECTURES, type ZoobotArchitecture, type ZoobotModelOptions,
} from './zoobotModel.js';
export { predictMC, setMcMode, type McMode, type PredictMcOptions } from './predictMC.js';
export { applyDihedral, DIHEDRAL_ORDER } from './dihedral.js';
export { saveZoobotModel, loadZoobotModel, ZOOBOT_METADATA_KEY, type ZoobotMetadata } from './saveLoad.js';
export { loadKerasWeights, type LoadKerasWeightsOptions } from './kerasWeights.js';
export { DirichletHead, dirichletHead, type DirichletHeadArgs } from './layers/dirichletHead.js';
export { McDropout, DropConnect, mcDropout, dropConnect, type McDropoutArgs } from './layers/mcDropout.js';
export { registerZoobotLayers, ZOOBOT_LAYER_CLASSES } from './layers/index.js';
export * from './layers/augmentation/index.js';
export { flattenLayers } from './layers/flattenLayers.js';
export { smallConvNet, type SmallConvNetOptions } from './smallConvNet.js';
export { conv2dBiasRelu, fuseReluConvolutions, RELU_BIAS_GRAD, type ConvPadding } from './fusedReluConv.js';
export { swish, fuseSwishActivations, SWISH, SWISH_GRAD } from './fusedSwish.js';
export { batchNormTraining, fuseBatchNorms, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, type NormActivation } from './fusedBatchNorm.js';
export { fuseLayers, type FusedLayerCounts } from './fusedLayers.js';
