// Each figure rendered to SVG and parsed: the marks must carry exactly the input data.
import { describe, expect, it } from 'vitest';
import { decalsDr5Schema, defineSchema } from '../../src/decisionTree/index.js';
import { reliabilityDiagram } from '../../src/metrics/index.js';
import { renderSvg } from '../../src/node/plots/index.js';
import {
  activeLearningCurveSpec, confusionMatrixSpec, gallerySpec, lossCurvesSpec, questionLossCurvesSpec,
  reliabilityDiagramSpec, voteFractionScatterSpec,
} from '../../src/plots/index.js';
import { ariaFields, lineVertices, marks, parseXml, type XmlElement } from './svg.js';

async function render(spec: Parameters<typeof renderSvg>[0]): Promise<XmlElement> {
  const root = parseXml(await renderSvg(spec));
  expect(root.name).toBe('svg');
  expect(Number(root.attributes.width)).toBeGreaterThan(0);
  return root;
}

/** Checks that y = a + b·value with b < 0 for every (value, y) pair: one shared linear scale, up is larger. */
function expectDescendingLinear(pairs: Array<[number, number]>): void {
  const [[v0, y0], [v1, y1]] = [pairs[0]!, pairs.find(([v]) => v !== pairs[0]![0])!];
  const b = (y1 - y0) / (v1 - v0);
  expect(b).toBeLessThan(0);
  for (const [v, y] of pairs) expect(y).toBeCloseTo(y0 + b * (v - v0), 2); // vega rounds to 3 decimals
}

const EPOCHS = 5;
const history = Array.from({ length: EPOCHS }, (_, epoch) => ({
  epoch,
  loss: 30 / (epoch + 1),
  validationLoss: 32 / (epoch + 1) + epoch,
  questionLosses: { bar: 3 - 0.1 * epoch, spiral: 2 + Math.sin(epoch) },
  validationQuestionLosses: { bar: 3.5 - 0.2 * epoch, spiral: 2.5 },
}));

describe('loss curves', () => {
  it('should draw one line per split with one vertex per epoch, at the recorded losses', async () => {
    const svg = await render(lossCurvesSpec(history));
    const lines = marks(svg, 'line mark');
    expect(lines.map((l) => ariaFields(l).split)).toEqual(['training', 'validation']);
    const vertices = lines.map((l) => lineVertices(l.attributes.d ?? ''));
    for (const v of vertices) {
      expect(v).toHaveLength(EPOCHS);
      // Epochs are evenly spaced along x.
      const steps = v.slice(1).map(([x], i) => x - v[i]![0]);
      for (const step of steps) expect(step).toBeCloseTo(steps[0]!, 2);
    }
    expectDescendingLinear([
      ...vertices[0]!.map(([, y], e): [number, number] => [history[e]!.loss, y]),
      ...vertices[1]!.map(([, y], e): [number, number] => [history[e]!.validationLoss, y]),
    ]);
  });

  it('should draw training and validation lines in one panel per question', async () => {
    const svg = await render(questionLossCurvesSpec(history));
    const lines = marks(svg, 'line mark');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(lineVertices(l.attributes.d ?? '')).toHaveLength(EPOCHS);
    expect(marks(svg, 'point')).toHaveLength(4 * EPOCHS);
    expect(allTexts(svg)).toEqual(expect.arrayContaining(['bar', 'spiral']));
  });

  it('should leave out the validation line when there is no validation', async () => {
    const svg = await render(lossCurvesSpec(history.map(({ epoch, loss, questionLosses }) => ({ epoch, loss, questionLosses }))));
    expect(marks(svg, 'line mark').map((l) => ariaFields(l).split)).toEqual(['training']);
  });
});

function allTexts(root: XmlElement): string[] {
  return [root.text, ...root.children.flatMap(allTexts)].filter((t) => t !== '');
}

describe('confusion matrix', () => {
  const metrics = {
    question: 'bar', answers: ['strong', 'weak', 'no'], galaxies: 54, accuracy: 24 / 54,
    confusion: [[9, 1, 0], [2, 7, 4], [3, 20, 8]], precision: [], recall: [],
  };

  it('should draw k×k cells, each labelled with its count', async () => {
    const svg = await render(confusionMatrixSpec(metrics));
    expect(marks(svg, 'rect mark')).toHaveLength(9);
    const texts = marks(svg, 'text mark');
    expect(texts).toHaveLength(9);
    for (const t of texts) {
      const { volunteers = '', predicted = '' } = ariaFields(t);
      const expected = metrics.confusion[metrics.answers.indexOf(volunteers)]![metrics.answers.indexOf(predicted)];
      expect(t.text).toBe(String(expected));
    }
    expect(texts.map((t) => Number(t.text)).reduce((a, b) => a + b, 0)).toBe(54);
    expect(allTexts(svg)).toContain('accuracy 0.444 on 54 confident galaxies');
  });
});

describe('reliability diagram', () => {
  it('should draw one point per non-empty bin of every series, plus the diagonal', async () => {
    const a = reliabilityDiagram([0.05, 0.15, 0.17, 0.93], [0, 0.2, 0.1, 1], 10);
    const b = reliabilityDiagram([0.5, 0.55], [0.4, 0.7], 5);
    const svg = await render(reliabilityDiagramSpec({ first: a, second: b }));
    const points = marks(svg, 'point');
    // Bins by hand: a fills [0,0.1), [0.1,0.2) (two values), [0.9,1]; b fills [0.4,0.6) once.
    expect(points).toHaveLength(4);
    const secondBin = points.find((p) => Number(ariaFields(p)['values in bin']) === 2);
    expect(Number(ariaFields(secondBin!)['mean observed'])).toBeCloseTo((0.2 + 0.1) / 2, 6);
    expect(marks(svg, 'line mark')).toHaveLength(3);
    expect(allTexts(svg).some((t) => t.startsWith('first (ECE '))).toBe(true);
  });
});

describe('predicted vs volunteer fractions', () => {
  const schema = defineSchema({ shape: ['_round', '_edgy'] }, { shape: null }, { name: 'tiny' });

  it('should draw a point per galaxy and answer at (volunteer, predicted)', async () => {
    const counts = [[15, 5], [2, 18], [1, 1], [10, 10]];
    const predicted = [[0.7, 0.3], [0.2, 0.8], [0.5, 0.5], [0.4, 0.6]];
    const svg = await render(voteFractionScatterSpec(predicted, counts, schema, 'shape', { minVotes: 20 }));
    const points = marks(svg, 'point');
    expect(points).toHaveLength(3 * 2); // the galaxy with 2 votes is cut
    const plotted = points.map((p) => [ariaFields(p)['volunteer fraction'], ariaFields(p)['predicted fraction']].map(Number)).sort();
    const expected = [[0.75, 0.7], [0.25, 0.3], [0.1, 0.2], [0.9, 0.8], [0.5, 0.4], [0.5, 0.6]].sort();
    plotted.forEach(([v, p], i) => { expect(v).toBeCloseTo(expected[i]![0]!, 3); expect(p).toBeCloseTo(expected[i]![1]!, 3); });
    // Both axes share [0, 1] on a 300 px square: the point's position is the fraction.
    for (const p of points) {
      const [x, y] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(p.attributes.transform ?? '')!.slice(1).map(Number);
      expect(x! / 300).toBeCloseTo(Number(ariaFields(p)['volunteer fraction']), 2);
      expect(1 - y! / 300).toBeCloseTo(Number(ariaFields(p)['predicted fraction']), 2);
    }
  });
});

describe('active-learning curve', () => {
  const curve = (offset: number, seed: number) => [64, 96, 128].map((labelled, i) => ({ labelled, evaluation: { loss: 10 - i - offset + 0.5 * seed }, acquired: [] }));
  const runs = [0, 1, 2].flatMap((seed) => [
    { strategy: 'bald', seed, records: curve(1, seed) },
    { strategy: 'random', seed, records: curve(0, seed) },
  ]);

  it('should draw both strategies with their mean over seeds at every labelled count, and a band', async () => {
    const svg = await render(activeLearningCurveSpec(runs));
    const lines = marks(svg, 'line mark');
    expect(lines.map((l) => ariaFields(l).acquisition)).toEqual(['bald', 'random']);
    for (const l of lines) expect(lineVertices(l.attributes.d ?? '')).toHaveLength(3);
    expect(marks(svg, 'area mark')).toHaveLength(2);
    const points = marks(svg, 'point').map(ariaFields);
    expect(points).toHaveLength(6);
    for (const p of points) {
      // Mean over seeds 0, 1, 2 of 10 - i - offset + seed/2 is 10.5 - i - offset.
      const i = [64, 96, 128].indexOf(Number(p['labelled galaxies']));
      const offset = p.acquisition === 'bald' ? 1 : 0;
      expect(Number(p.mean)).toBeCloseTo(10.5 - i - offset, 2);
    }
    expect(allTexts(svg)).toContain('mean ± 1 s.d. over 3 seeds');
  });
});

describe('gallery', () => {
  const schema = decalsDr5Schema;
  const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';
  const items = [0, 1, 2].map((g) => ({
    id: `galaxy-${g}`, image: pixel,
    prediction: { fractions: schema.answers.map((_, i) => ((i + g) % 3) / 3), std: schema.answers.map(() => 0.05) },
  }));

  it('should show each image with one bar and one uncertainty rule per answer', async () => {
    const svg = await render(gallerySpec(items, schema, 'smooth-or-featured', { columns: 2 }));
    const images = marks(svg, 'image mark');
    expect(images).toHaveLength(3);
    for (const image of images) expect(image.attributes['xlink:href']).toBe(pixel);
    const bars = marks(svg, 'bar');
    expect(bars).toHaveLength(3 * 3);
    expect(marks(svg, 'rule mark')).toHaveLength(3 * 3);
    // Every (answer, fraction) of every galaxy appears once; the fractions are k/3 by construction.
    const q = schema.getQuestion('smooth-or-featured');
    const expected = items.flatMap((item) => q.answers.map((a) => `${a.text} ${((a.index + Number(item.id.slice(-1))) % 3) / 3}`));
    const drawn = bars.map((bar) => ariaFields(bar)).map((f) => `${f.answer} ${Math.round(Number(f['predicted fraction']) * 3) / 3}`);
    expect(drawn.sort()).toEqual(expected.sort());
    for (const id of items.map((i) => i.id)) expect(allTexts(svg)).toContain(id);
  });
});
