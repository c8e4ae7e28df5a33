import type { Role } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import { HttpError } from '../http-error.js';

/** Who is calling: resolved from a session cookie or a bearer token. */
export interface Caller {
  userId: string;
  tenantId: string;
  sessionId: string;
  /** The caller's role in the tenant, when the resolver reads it (vault sessions do). */
  role?: Role;
  /** `cookie` callers need a CSRF token for writes; `bearer` callers (scripts) do not. */
  via: 'cookie' | 'bearer';
}

/** Resolves session tokens to callers; implemented by the vault's session store. */
export interface SessionResolver {
  /** The caller for a session or API token, or `undefined` when unknown, expired or revoked. */
  resolve(token: string): Promise<Omit<Caller, 'via'> | undefined>;
}

/** The signed-in caller of this request; throws 401 `unauthenticated` when there is none. */
export function callerOf(ctx: ParameterizedContext): Caller {
  const caller = ctx.state.caller as Caller | undefined;
  if (!caller) throw new HttpError(401, 'unauthenticated', 'sign in first');
  return caller;
}
