// Without sharp (an optional dependency) figures are written as SVG only, and the result says why.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writePlots } from '../../src/node/plots/index.js';
import { lossCurvesSpec } from '../../src/plots/index.js';

vi.mock('sharp', () => {
  throw new Error("Cannot find package 'sharp'");
});

describe('figures without sharp', () => {
  it('should write the SVG alone and note that PNGs need sharp', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zoobot-nosharp-'));
    const written = await writePlots(dir, { loss: lossCurvesSpec([{ epoch: 0, loss: 2, questionLosses: {} }, { epoch: 1, loss: 1, questionLosses: {} }]) });
    expect(readdirSync(dir)).toEqual(['loss.svg']);
    expect(written.files).toEqual([join(dir, 'loss.svg')]);
    expect(written.notes).toHaveLength(1);
    expect(written.notes[0]).toMatch(/^SVG only: sharp is not available \(.*\); install it for PNG figures$/);
  });
});
