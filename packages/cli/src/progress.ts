/**
 * Progress on stderr for long work, only when stderr is a terminal (so logs and pipes stay clean).
 * Redraws at most every 200 ms.
 */
export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
  total: number | undefined,
): { advance(n: number): void; done(): void } {
  if (!stream.isTTY) return { advance() {}, done() {} };
  let seen = 0;
  let last = 0;
  return {
    advance(n) {
      seen += n;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const text = total
        ? `${label}: ${Math.min(100, Math.floor((seen / total) * 100))} %`
        : `${label}…`;
      stream.write(`\r${text}\x1b[K`);
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}
