import { registerLayerClasses } from './register.js';
import { DirichletHead } from './dirichletHead.js';
import { DropConnect, McDropout } from './mcDropout.js';
import { RandomBrightnessContrast, Greyscale } from './augmentation/photometric.js';
import { RandomFlip, RandomRotation, RandomZoom } from './augmentation/geometric.js';
import { RandomCrop, RandomResizedCrop } from './augmentation/crop.js';

/** Every custom layer class of zoobot-ts. */
export const ZOOBOT_LAYER_CLASSES = Object.freeze([
  DirichletHead, McDropout, DropConnect, Greyscale, RandomBrightnessContrast, RandomRotation, RandomZoom, RandomFlip,
  RandomCrop, RandomResizedCrop,
]);

/**
 * Registers every zoobot-ts layer with tfjs serialization, skipping names already registered.
 * Importing the library already does this; call it again after something has replaced tfjs's
 * serialization map (e.g. a second tfjs copy). Idempotent.
 */
export function registerZoobotLayers(): void {
  registerLayerClasses(ZOOBOT_LAYER_CLASSES);
}
