/**
 * Control characters a text field never carries: C0 controls except tab, line feed and carriage
 * return, and DEL. NUL in particular ends strings in C and is refused by PostgreSQL's text type,
 * so letting it through turns a typo or a probe into a 500.
 */
function hasForbidden(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/**
 * The path (e.g. `body.tags.2`) of the first string in `value` that holds a forbidden control
 * character, searched through arrays and plain objects (keys included); `null` when clean.
 */
export function controlCharacterAt(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === 'string') return hasForbidden(value) ? where : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const at = `${where}.${String(key)}`;
    if (typeof key === 'string' && hasForbidden(key)) return at;
    const found = controlCharacterAt(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}
