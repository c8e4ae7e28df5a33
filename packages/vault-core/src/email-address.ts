import { ValidationError } from './errors.js';

/** Normalises and checks an email address (trimmed, lower-cased, at most 254 characters). */
export function normalizeEmail(email: unknown): string {
  if (typeof email !== 'string') throw new ValidationError('email required', 'email');
  const e = email.trim().toLowerCase();
  if (e.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) {
    throw new ValidationError('invalid email address', 'email');
  }
  return e;
}
