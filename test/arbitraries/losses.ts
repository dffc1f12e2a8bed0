import fc from 'fast-check';

/** A float32-representable number drawn log-uniformly from [lo, hi]. */
export function logUniformArb(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.double({ min: 0, max: 1, noNaN: true }).map((u) => Math.fround(lo * Math.exp(u * Math.log(hi / lo))));
}

/** Concentrations for one question with `answers` answers, each in [lo, hi]. */
export function concentrationsArb(answers: number, lo = 1, hi = 101): fc.Arbitrary<number[]> {
  return fc.array(logUniformArb(lo, hi), { minLength: answers, maxLength: answers });
}

/** Vote counts for one question with `answers` answers, each in [0, max]. */
export function countsArb(answers: number, max = 60): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max }), { minLength: answers, maxLength: answers });
}

/** A question: counts and concentrations with 2-4 answers. */
export function questionArb(options: { maxCount?: number; lo?: number; hi?: number } = {}): fc.Arbitrary<{ counts: number[]; alphas: number[] }> {
  return fc.integer({ min: 2, max: 4 }).chain((answers) => fc.record({
    counts: countsArb(answers, options.maxCount ?? 60),
    alphas: concentrationsArb(answers, options.lo ?? 1, options.hi ?? 101),
  }));
}
