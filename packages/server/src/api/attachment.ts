import { contentDisposition } from '../uploads/content-disposition.js';

/**
 * Response headers of a file the API hands over to be saved (an export, an escrow file, an
 * evidence bundle): its type, `Content-Disposition: attachment` with a safe file name, and
 * `Cache-Control: private, no-store`, since every such file is private to the caller and may
 * hold secrets (encrypted or not) that no shared cache should keep.
 */
export function attachment(fileName: string, contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Disposition': contentDisposition(fileName, 'download'),
    'Cache-Control': 'private, no-store',
  };
}
