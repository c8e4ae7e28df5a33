import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';

/**
 * Reads a list of issued payloads: one hex payload per line, blank lines and `#` comments
 * ignored. Every payload must have `bits` bits; a bad line is named with its number.
 */
export async function loadPayloadList(path: string, bits: number): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const payloads: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    if (!/^[0-9a-fA-F]+$/.test(line) || line.length * 4 !== bits) {
      throw new CliError(
        'invalid_payload',
        `${path}, line ${i + 1}: expected ${bits / 4} hex digits (a ${bits}-bit payload), got "${line.slice(0, 40)}"`,
      );
    }
    payloads.push(line.toLowerCase());
  });
  if (payloads.length === 0)
    throw new CliError('invalid_payload', `${path}: no payloads in the file`);
  return payloads;
}
