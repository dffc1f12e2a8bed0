// Draws one galaxy's predicted answer distributions: per answer, the mean vote fraction over
// MC-dropout passes and an interval of mean ± 2 sd; questions fade with P(asked).
import type { Schema } from 'zoobot-ts/decisionTree';
import type { PredictionSummary } from 'zoobot-ts/metrics';

const percent = (value: number): string => `${(100 * Math.min(1, Math.max(0, value))).toFixed(1)}%`;

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Appends a galaxy's image and its decision-tree predictions to `container`. */
export function renderGalaxy(container: HTMLElement, imageUrl: string, summary: PredictionSummary, schema: Schema): void {
  const section = element('section', 'galaxy');
  const image = document.createElement('img');
  image.src = imageUrl;
  image.alt = imageUrl;
  const tree = element('div', 'tree');
  for (const question of schema.questions) {
    const asked = summary.asked[question.index] ?? 0;
    const block = element('div', 'question');
    block.style.opacity = (0.25 + 0.75 * asked).toFixed(2);
    const title = element('h3', '', question.text);
    title.append(' ', element('small', '', `P(asked) ${asked.toFixed(2)}`));
    block.append(title);
    for (const answer of question.answers) {
      const mean = summary.fractions[answer.index] ?? 0;
      const sd = summary.std[answer.index] ?? 0;
      const [low, high] = [Math.max(0, mean - 2 * sd), Math.min(1, mean + 2 * sd)];
      const bar = element('span', 'bar');
      const interval = element('span', 'interval');
      interval.style.left = percent(low);
      interval.style.width = percent(high - low);
      const marker = element('span', 'mean');
      marker.style.left = percent(mean);
      bar.append(interval, marker);
      const row = element('div', 'answer');
      row.dataset.answer = answer.column;
      row.append(element('span', 'label', answer.text), bar, element('span', 'value', `${mean.toFixed(3)} [${low.toFixed(3)}, ${high.toFixed(3)}]`));
      block.append(row);
    }
    tree.append(block);
  }
  section.append(image, tree);
  container.append(section);
}
