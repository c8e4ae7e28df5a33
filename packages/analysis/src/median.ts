/**
 * Running median of odd length `width` along one axis of a `rows x cols` row-major matrix:
 * `alongRows` filters each row across its columns, otherwise each column across rows. Edges use
 * the available neighbours. Writes into `out` (caller-owned, same size as `m`).
 */
export function medianFilter(
  out: Float32Array,
  m: Float32Array,
  rows: number,
  cols: number,
  width: number,
  alongRows: boolean,
): void {
  const half = width >> 1;
  const win = new Float32Array(width);
  const lines = alongRows ? rows : cols;
  const len = alongRows ? cols : rows;
  const at = (line: number, i: number) => (alongRows ? line * cols + i : i * cols + line);
  for (let line = 0; line < lines; line++) {
    for (let i = 0; i < len; i++) {
      const lo = Math.max(0, i - half);
      const hi = Math.min(len - 1, i + half);
      let n = 0;
      for (let j = lo; j <= hi; j++) {
        // insertion into the sorted window
        const v = m[at(line, j)]!;
        let p = n++;
        while (p > 0 && win[p - 1]! > v) {
          win[p] = win[p - 1]!;
          p--;
        }
        win[p] = v;
      }
      out[at(line, i)] = n & 1 ? win[n >> 1]! : 0.5 * (win[(n >> 1) - 1]! + win[n >> 1]!);
    }
  }
}
