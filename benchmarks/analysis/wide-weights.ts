/**
 * The key decision refitted without its opening-chord feature (key-fit.ts with KEY_ZERO=9, L2
 * weight by the same rule), an ablation reported beside the default: it shows how much of the
 * score rests on pieces beginning on their tonic chord.
 */
export const NO_OPENING_WEIGHTS: readonly number[] = [
  3.767, 4.599, 0.548, 3.462, 0.952, 0.904, 6.599, -2.474, 1.014, 0,
];
