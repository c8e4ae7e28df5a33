/**
 * A `Content-Disposition: attachment` header that is safe for any stored file name: control
 * characters, path separators and quotes are removed from the ASCII fallback, and the full name
 * travels in RFC 8187 / RFC 6266 `filename*` form, so hostile names can neither break the header
 * nor choose a path on the recipient's machine.
 */
export function contentDisposition(fileName: string, fallback = 'audio'): string {
  const cleaned = fileName
    .normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .replace(/[/\\]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 200);
  const name = cleaned.length > 0 ? cleaned : fallback;
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
