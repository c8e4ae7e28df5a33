import type { Actor, Vault } from '@vaultmark/vault-core';
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import { authenticate } from '../auth/authenticate.js';
import { type Caller, callerOf, type SessionResolver } from '../auth/caller.js';
import type { CsrfTokens } from '../auth/csrf.js';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../http-error.js';

/** What the vault's routes and pages are built from. */
export interface ServerContext {
  vault: Vault;
  config: ServerConfig;
  csrf: CsrfTokens;
  logger: Logger;
  /** Directory for temporary upload files. */
  tmpDir: string;
}

/**
 * Resolves session and API tokens through the vault: the session must be live, and the caller's
 * tenant and role are read from the database on every request (personal organization first), so
 * revocations and role changes apply to the next request.
 */
export function vaultSessions(vault: Vault): SessionResolver {
  return {
    async resolve(token) {
      let session: Awaited<ReturnType<Vault['accounts']['authenticate']>>;
      try {
        session = await vault.accounts.authenticate(token);
      } catch (error) {
        if ((error as { code?: string }).code === 'session_invalid') return undefined;
        throw error;
      }
      const [membership] = await vault.accounts.listMemberships(session.userId);
      if (!membership) return undefined;
      return {
        userId: session.userId,
        tenantId: membership.organizationId,
        sessionId: session.sessionId,
        role: membership.role,
      };
    },
  };
}

/**
 * The header that scopes a request to one of the caller's organizations (a studio); without it,
 * requests act in the caller's personal organization.
 */
export const ORGANIZATION_HEADER = 'X-Vaultmark-Organization';

/**
 * The `authenticate` step of `auth: 'user'` routes: bearer token or session cookie (with CSRF
 * for cookie writes), the organization the request acts in (personal, or the one named by
 * `X-Vaultmark-Organization`, where the caller's role is read from the database), then the
 * daily-salted hash of the client address for the audit log.
 */
export function vaultAuthenticate(
  ctx: Pick<ServerContext, 'vault' | 'csrf' | 'config'>,
): (koa: ParameterizedContext) => Promise<void> {
  const check = authenticate(vaultSessions(ctx.vault), ctx.csrf, {
    publicOrigin: new URL(ctx.config.publicBaseUrl).origin,
  });
  return async (koa) => {
    await check(koa);
    const wanted = koa.get(ORGANIZATION_HEADER);
    const caller = koa.state.caller as Caller;
    if (wanted && wanted !== caller.tenantId) {
      // Another organization the user belongs to; any other id is simply not there.
      const memberships = await ctx.vault.accounts.listMemberships(caller.userId);
      const chosen = memberships.find((m) => m.organizationId === wanted);
      if (!chosen) throw new HttpError(404, 'not_found', 'organization not found');
      koa.state.caller = { ...caller, tenantId: chosen.organizationId, role: chosen.role };
    }
    koa.state.ipHash = await ctx.vault.accounts.clientIpHash(koa.ip);
  };
}

/** The vault `Actor` of an authenticated request. */
export function actorOf(koa: ParameterizedContext): Actor {
  const caller: Caller = callerOf(koa);
  return {
    userId: caller.userId,
    tenantId: caller.tenantId,
    role: caller.role ?? 'member',
    ipHash: (koa.state.ipHash as string | undefined) ?? null,
  };
}

/** Client facts passed to sign-in use-cases (the address is hashed by the vault). */
export function clientOf(koa: ParameterizedContext): { ip: string; userAgent: string | null } {
  return { ip: koa.ip, userAgent: koa.get('User-Agent') || null };
}
