/**
 * Zoobot's published timm encoders in TensorFlow.js: browser-safe readers for safetensors and
 * PyTorch zip checkpoints (a restricted unpickler that never runs pickle code), timm-compatible
 * ConvNeXt, ResNet and EfficientNet (Zoobot's encoder families), and loading a timm state_dict by
 * key. Reading a hub folder from disk is `loadPretrainedEncoder` in `zoobot-ts/node`.
 *
 * Importing this module registers the {@link LayerScale} layer with tfjs serialization.
 *
 * @module pretrained
 */
export { readSafetensors } from './safetensors.js';
export { readTorchZip } from './torchZip.js';
export { unpickle, type UnpickleOptions, type PickleGlobal } from './unpickle.js';
export { type StoredTensor, type StoredDType, type TensorDict } from './tensors.js';
export { timmConvNeXt, convNeXtShapeFromTensors, type TimmConvNeXtOptions } from './convnext.js';
export { timmResNet, resNetShapeFromTensors, type TimmResNetOptions } from './resnet.js';
export {
  timmEfficientNet, efficientNetShapeFromTensors, EFFICIENTNET_STAGE_STRIDES, type TimmEfficientNetOptions, type EfficientNetBlock,
} from './efficientnet.js';
export { loadTimmWeights, greyscaleStem } from './timmWeights.js';
export { timmEncoder, parseTimmConfig, type TimmConfig, type TimmEncoderOptions } from './encoder.js';
export { LayerScale } from './layerScale.js';
