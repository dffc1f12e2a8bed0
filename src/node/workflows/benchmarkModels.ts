import type * as tf from '@tensorflow/tfjs';
import { timmConvNeXt, timmEfficientNet, EFFICIENTNET_STAGE_STRIDES, type EfficientNetBlock } from '../../pretrained/index.js';

/** timm encoders `zoobot-ts bench` can time (random weights: speed does not depend on them). */
export const TIMM_BENCH_ARCHITECTURES = ['convnext_nano', 'efficientnet_b0_timm'] as const;
/** A timm encoder name of {@link TIMM_BENCH_ARCHITECTURES}. */
export type TimmBenchArchitecture = (typeof TIMM_BENCH_ARCHITECTURES)[number];

/** timm's efficientnet_b0 per stage: block type, expansion, kernel, output channels, repeats. */
const B0_STAGES: ReadonlyArray<readonly ['ds' | 'ir', number, number, number, number]> = [
  ['ds', 1, 3, 16, 1], ['ir', 6, 3, 24, 2], ['ir', 6, 5, 40, 2], ['ir', 6, 3, 80, 3],
  ['ir', 6, 5, 112, 3], ['ir', 6, 5, 192, 4], ['ir', 6, 3, 320, 1],
];

/** The blocks of timm's efficientnet_b0 (stem 32; squeeze-excite to a quarter of each block's input channels). */
function efficientNetB0Blocks(): EfficientNetBlock[][] {
  let inChs = 32;
  return B0_STAGES.map(([type, expansion, kernelSize, outChs, repeats], s) =>
    Array.from({ length: repeats }, (_, i) => {
      const block: EfficientNetBlock = {
        type, inChs, midChs: inChs * expansion, outChs, kernelSize,
        stride: i === 0 ? (EFFICIENTNET_STAGE_STRIDES[s] ?? 1) : 1, seChs: Math.max(1, Math.floor(inChs / 4)),
      };
      inChs = outChs;
      return block;
    }));
}

/**
 * An untrained timm encoder of Zoobot's greyscale shape, for timing.
 *
 * @param architecture - `convnext_nano` (depths 2-2-8-2, widths 80-640) or `efficientnet_b0_timm`.
 * @param size - Image side.
 * @returns The encoder, `[batch, size, size, 1]` to pooled features.
 */
export function timmBenchModel(architecture: TimmBenchArchitecture, size: number): tf.LayersModel {
  return architecture === 'convnext_nano'
    ? timmConvNeXt({ depths: [2, 2, 8, 2], dims: [80, 160, 320, 640], inChans: 1, imageSize: size })
    : timmEfficientNet({ inChans: 1, stemChs: 32, stages: efficientNetB0Blocks(), headChs: 1280, imageSize: size });
}
