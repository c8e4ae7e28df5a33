/** A safe download name for a track's marked WAV: no path separators or control characters. */
export function audioFileName(title: string, suffix = ''): string {
  const base = `${title}${suffix}`
    .replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_')
    .trim()
    .slice(0, 200);
  return `${base || 'track'}.wav`;
}
