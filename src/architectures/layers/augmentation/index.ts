export { type AugmentationArgs, RandomAugmentation } from './base.js';
export { RandomRotation, type RandomRotationArgs, RandomZoom, type RandomZoomArgs, RandomFlip, type RandomFlipArgs, FLIP_MODES, type FlipMode } from './geometric.js';
export { Greyscale, RandomBrightnessContrast, type RandomBrightnessContrastArgs } from './photometric.js';
export {
  RandomCrop, type RandomCropArgs, RandomResizedCrop, type RandomResizedCropArgs, type SizeArgs,
} from './crop.js';
export { augmentationLayers, AUGMENTATION_PRESETS, type AugmentationPreset, type AugmentationOptions } from './presets.js';
