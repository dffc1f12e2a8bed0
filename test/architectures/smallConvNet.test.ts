import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { smallConvNet, zoobotModel } from '../../src/architectures/index.js';
import { decalsDr5Schema } from '../../src/decisionTree/index.js';
import { ConfigError } from '../../src/errors.js';

describe('smallConvNet', () => {
  it('should have the hand-computed parameter count and pool to the last stage width', () => {
    const model = smallConvNet({ inputShape: [32, 32, 1] });
    // conv (no bias) + batch norm (gamma, beta, moving mean, moving variance) per stage.
    const stages: Array<[number, number]> = [[1, 16], [16, 32], [32, 64], [64, 64]];
    const expected = stages.reduce((sum, [cin, cout]) => sum + 9 * cin * cout + 4 * cout, 0);
    expect(model.countParams()).toBe(expected);
    expect(model.outputs[0]!.shape).toEqual([null, 64]);
    model.dispose();
  });

  it('should give Dirichlet concentrations in (1, 101) as a zoobot model', () => {
    const model = zoobotModel({ schema: decalsDr5Schema, architecture: 'small', inputShape: [32, 32, 1] });
    const out = tf.tidy(() => (model.predict(tf.randomUniform([2, 32, 32, 1])) as tf.Tensor).arraySync() as number[][]);
    expect(out[0]).toHaveLength(34);
    expect(out.flat().every((v) => v > 1 && v < 101)).toBe(true);
    model.dispose();
  });

  it('should refuse input sizes that do not pool evenly', () => {
    expect(() => smallConvNet({ inputShape: [30, 30, 1] })).toThrow(ConfigError);
  });
});
