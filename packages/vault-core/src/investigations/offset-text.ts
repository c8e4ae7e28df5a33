/**
 * Where in a found file a mark was found, for people: seconds to the millisecond. A mark's block
 * can start a fraction of a millisecond before the file (the detector reports blocks from half a
 * frame before it), which rounds to 0.000, never to "-0.000".
 */
export function offsetText(seconds: number): string {
  const rounded = Math.round(seconds * 1000) / 1000;
  return (rounded === 0 ? 0 : rounded).toFixed(3);
}
