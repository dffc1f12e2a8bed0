import type * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../../errors.js';
import { RandomBrightnessContrast, Greyscale } from './photometric.js';
import { RandomFlip, RandomRotation, RandomZoom } from './geometric.js';
import { RandomCrop, RandomResizedCrop } from './crop.js';

/** Named augmentation recipes. */
export const AUGMENTATION_PRESETS = ['zoobot2021', 'zoobot2022', 'w20'] as const;
/** A named augmentation recipe. */
export type AugmentationPreset = (typeof AUGMENTATION_PRESETS)[number];

/** Options of {@link augmentationLayers}. */
export interface AugmentationOptions {
  /** Output side length of the crops. @defaultValue 224 */
  readonly outputSize?: number;
  /** Prepend a {@link Greyscale} layer. @defaultValue false */
  readonly greyscale?: boolean;
  /** Augment at prediction time too. @defaultValue false */
  readonly alwaysAugment?: boolean;
  /** Base seed; layer i uses seed + i. */
  readonly seed?: number;
}

/**
 * The augmentation stack of a recipe, to apply in order:
 * - `zoobot2021`: rotation (any angle), flips, random crop to `outputSize` (centre crop at prediction; Zoobot fed 300 px);
 * - `zoobot2022`: rotation, random resized crop of 70-80% of the area to `outputSize`;
 * - `w20`: rotation, flips, zoom 1.1-1.3, brightness/contrast jitter (size unchanged).
 *
 * @param preset - Recipe name.
 * @param options - See {@link AugmentationOptions}.
 * @returns Fresh, unconnected layers.
 */
export function augmentationLayers(preset: AugmentationPreset, options: AugmentationOptions = {}): tf.layers.Layer[] {
  const { outputSize = 224, greyscale = false, alwaysAugment = false, seed } = options;
  let i = 0;
  const args = (): { alwaysAugment: boolean; seed: number | null } => ({ alwaysAugment, seed: seed === undefined ? null : seed + i++ });
  const size = { height: outputSize, width: outputSize };
  const stacks: Record<AugmentationPreset, () => tf.layers.Layer[]> = {
    zoobot2021: () => [new RandomRotation(args()), new RandomFlip(args()), new RandomCrop({ ...args(), ...size })],
    zoobot2022: () => [new RandomRotation(args()), new RandomResizedCrop({ ...args(), ...size })],
    w20: () => [new RandomRotation(args()), new RandomFlip(args()), new RandomZoom(args()), new RandomBrightnessContrast(args())],
  };
  const build = stacks[preset];
  if (build === undefined) {
    throw new ConfigError(`augmentationLayers: unknown preset "${String(preset)}". Should be one of: ${AUGMENTATION_PRESETS.join(', ')}`);
  }
  return [...(greyscale ? [new Greyscale({ name: 'greyscale' })] : []), ...build()];
}
