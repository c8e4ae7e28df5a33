/**
 * The key decision refitted without its opening-chord feature (`estimateKey({ excerpt: true })`),
 * an ablation reported beside the default: it shows how much of the score rests on pieces
 * beginning on their tonic chord.
 */
export { EXCERPT_KEY_WEIGHTS as NO_OPENING_WEIGHTS } from '../../packages/analysis/src/key.js';
