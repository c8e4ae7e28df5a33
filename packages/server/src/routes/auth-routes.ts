import { createHash, randomBytes } from 'node:crypto';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../api/route.js';
import { callerOf } from '../auth/caller.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../auth/session-cookie.js';
import { HttpError } from '../http-error.js';
import type { RateLimitRule } from '../middleware/rate-limit.js';
import { clientOf, type ServerContext } from '../vault/server-context.js';

const Email = z.string().min(3).max(254);
const Password = z.string().min(1).max(4096);
const SignedIn = z.object({
  userId: z.string(),
  /** The session's CSRF token, for scripts that use the cookie. */
  csrfToken: z.string(),
  expiresAt: z.string(),
});
const tags = ['auth'];

/** A per-address limit for sign-in style routes. */
function perAddress(name: string, max: number, windowMs: number): RateLimitRule {
  return { name, max, windowMs, keyOf: (ctx) => ctx.ip };
}

/** The cookie that binds an emailed sign-in code to the browser that asked for it. */
const PRE_SIGN_IN_COOKIE = 'vaultmark_code';
/** The cookie that binds an emailed registration code to the browser that asked for it. */
const REGISTER_COOKIE = 'vaultmark_signup';

/** Sets (or, with an empty value, clears) a code-binding cookie, scoped to its routes. */
function setCodeCookie(koa: ParameterizedContext, name: string, path: string, value: string) {
  koa.cookies.set(name, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: koa.secure,
    path,
    maxAge: value ? 10 * 60_000 : 0,
    overwrite: true,
  });
}

/** The request id and nonce of a code-binding cookie; 401 when this browser asked for none. */
function readCodeCookie(koa: ParameterizedContext, name: string): [string, string] {
  const [requestId, nonce] = (koa.cookies.get(name) ?? '').split('.');
  if (!requestId || !nonce) {
    throw new HttpError(401, 'invalid_credentials', 'ask for a new code in this browser');
  }
  return [requestId, nonce];
}

function startSession(
  ctx: ServerContext,
  koa: ParameterizedContext,
  session: { sessionId: string; token: string; expiresAt: Date },
) {
  setSessionCookie(koa, session.token, session.expiresAt.getTime() - Date.now());
  return {
    csrfToken: ctx.csrf.issue(session.sessionId),
    expiresAt: session.expiresAt.toISOString(),
  };
}

/** Registration, sign-in (password + TOTP, or emailed code), sign-out, API tokens and TOTP setup. */
export function authRoutes(ctx: ServerContext): RouteSpec[] {
  const { vault } = ctx;
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/register',
      summary: 'Start creating an account: a confirmation code is emailed to the address',
      tags,
      auth: 'public',
      rateLimit: perAddress('register', 10, 60 * 60_000),
      body: z.object({ email: Email, password: Password, displayName: z.string().min(1).max(200) }),
      responses: {
        202: {
          description:
            'a code was sent (the answer is the same when the address already has an account: its owner is told instead)',
          schema: z.object({ verification: z.literal('sent') }),
        },
      },
      handler: async (koa, { body }) => {
        const nonce = randomBytes(32).toString('base64url');
        const { requestId } = await vault.accounts.requestRegistration({
          ...body,
          binding: bindingOf(nonce),
        });
        setCodeCookie(koa, REGISTER_COOKIE, '/api/auth/register', `${requestId}.${nonce}`);
        return { status: 202, body: { verification: 'sent' as const } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/register/verify',
      summary: 'Finish creating the account with the emailed code (in the browser that asked)',
      tags,
      auth: 'public',
      rateLimit: perAddress('register-verify', 20, 15 * 60_000),
      body: z.object({ code: z.string().regex(/^\d{6}$/) }),
      responses: {
        201: {
          description: 'registered and signed in (session cookie set)',
          schema: SignedIn.extend({ organizationId: z.string() }),
        },
      },
      handler: async (koa, { body }) => {
        const [requestId, nonce] = readCodeCookie(koa, REGISTER_COOKIE);
        const registered = await vault.accounts.completeRegistration(
          { requestId, code: body.code, binding: bindingOf(nonce) },
          clientOf(koa),
        );
        setCodeCookie(koa, REGISTER_COOKIE, '/api/auth/register', '');
        return {
          status: 201,
          body: {
            userId: registered.userId,
            organizationId: registered.organizationId,
            ...startSession(ctx, koa, registered.session),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with email and password (and a TOTP or recovery code when enabled)',
      tags,
      auth: 'public',
      rateLimit: perAddress('login', 20, 15 * 60_000),
      body: z.object({
        email: Email,
        password: Password,
        totp: z.string().max(64).optional(),
      }),
      responses: {
        200: {
          description: 'signed in (session cookie set)',
          schema: SignedIn.extend({ newDevice: z.boolean() }),
        },
      },
      handler: async (koa, { body }) => {
        const signedIn = await vault.accounts.signIn(
          { ...body, previousToken: readSessionCookie(koa) ?? null },
          clientOf(koa),
        );
        return {
          status: 200,
          body: {
            userId: signedIn.userId,
            newDevice: signedIn.newDevice,
            ...startSession(ctx, koa, signedIn.session),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/email-code',
      summary: 'Email a single-use 6-digit sign-in code',
      tags,
      auth: 'public',
      rateLimit: perAddress('email-code', 10, 15 * 60_000),
      body: z.object({ email: Email }),
      responses: {
        202: {
          description: 'a code was sent if the address has an account',
          schema: z.object({ sent: z.literal(true) }),
        },
      },
      handler: async (koa, { body }) => {
        const nonce = randomBytes(32).toString('base64url');
        const { requestId } = await vault.accounts.requestEmailCode({
          email: body.email,
          binding: bindingOf(nonce),
        });
        setCodeCookie(koa, PRE_SIGN_IN_COOKIE, '/api/auth/email-code', `${requestId}.${nonce}`);
        return { status: 202, body: { sent: true as const } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/email-code/verify',
      summary:
        'Sign in with the emailed code (in the browser that asked for it), plus a TOTP or recovery code when the account has two-factor sign-in',
      tags,
      auth: 'public',
      rateLimit: perAddress('email-code-verify', 20, 15 * 60_000),
      body: z.object({
        email: Email.optional(),
        code: z.string().regex(/^\d{6}$/),
        totp: z.string().max(64).optional(),
      }),
      responses: { 200: { description: 'signed in (session cookie set)', schema: SignedIn } },
      handler: async (koa, { body }) => {
        const [requestId, nonce] = readCodeCookie(koa, PRE_SIGN_IN_COOKIE);
        const signedIn = await vault.accounts.signInWithEmailCode(
          {
            requestId,
            code: body.code,
            binding: bindingOf(nonce),
            totp: body.totp ?? null,
          },
          clientOf(koa),
        );
        setCodeCookie(koa, PRE_SIGN_IN_COOKIE, '/api/auth/email-code', '');
        return {
          status: 200,
          body: { userId: signedIn.userId, ...startSession(ctx, koa, signedIn.session) },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Sign out (ends this session or revokes this API token)',
      tags,
      auth: 'user',
      responses: { 204: { description: 'signed out' } },
      handler: async (koa) => {
        await vault.accounts.revokeSession(callerOf(koa).userId, callerOf(koa).sessionId);
        clearSessionCookie(koa);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      summary: 'Who is signed in, and whether their sign-in asks for a second factor',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'the signed-in user and organization',
          schema: z.object({
            userId: z.string(),
            organizationId: z.string(),
            organizationName: z.string(),
            role: z.enum(['member', 'admin', 'owner']),
            csrfToken: z.string(),
            email: z.string(),
            displayName: z.string(),
            /** Whether sign-in asks for an authenticator code. */
            twoFactorEnabled: z.boolean(),
            /** Unused recovery codes left (0 without two-factor sign-in). */
            recoveryCodesLeft: z.number().int(),
          }),
        },
      },
      handler: async (koa) => {
        const caller = callerOf(koa);
        const memberships = await vault.accounts.listMemberships(caller.userId);
        const here = memberships.find((m) => m.organizationId === caller.tenantId);
        if (!here) throw new HttpError(401, 'unauthenticated', 'sign in first');
        const profile = await vault.accounts.profile(caller.userId);
        return {
          status: 200,
          body: {
            userId: caller.userId,
            organizationId: here.organizationId,
            organizationName: here.name,
            role: here.role,
            csrfToken: ctx.csrf.issue(caller.sessionId),
            email: profile.email,
            displayName: profile.displayName,
            twoFactorEnabled: profile.twoFactorEnabled,
            recoveryCodesLeft: profile.recoveryCodesLeft,
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/tokens',
      summary:
        'Create a bearer token for scripts (shown once; 90 days); needs the password and, with two-factor sign-in, a TOTP or recovery code',
      tags,
      auth: 'user',
      body: z.object({ password: Password, totp: z.string().max(64).optional() }),
      responses: {
        201: {
          description: 'the token',
          schema: z.object({ token: z.string(), id: z.string(), expiresAt: z.string() }),
        },
      },
      handler: async (koa, { body }) => {
        const issued = await vault.accounts.createApiToken(callerOf(koa).userId, body);
        return {
          status: 201,
          body: {
            token: issued.token,
            id: issued.sessionId,
            expiresAt: issued.expiresAt.toISOString(),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/account/password',
      summary: 'Change the password (the current one required); every other session ends',
      tags: ['account'],
      auth: 'user',
      body: z.object({ currentPassword: Password, newPassword: Password }),
      responses: {
        200: { description: 'changed; this browser has a new session', schema: SignedIn },
      },
      handler: async (koa, { body }) => {
        const caller = callerOf(koa);
        const session = await vault.accounts.changePassword(caller.userId, body, clientOf(koa));
        return {
          status: 200,
          body: { userId: caller.userId, ...startSession(ctx, koa, session) },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/totp/enroll',
      summary: 'Start two-factor enrolment: a TOTP secret and its otpauth:// URI',
      tags,
      auth: 'user',
      responses: {
        200: {
          description: 'the secret to add to an authenticator app',
          schema: z.object({ secret: z.string(), uri: z.string() }),
        },
      },
      handler: async (koa) => ({
        status: 200,
        body: await vault.accounts.beginTotpEnrollment(callerOf(koa).userId),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/totp/confirm',
      summary: 'Enable two-factor sign-in with a current code; ends every other session',
      tags,
      auth: 'user',
      rateLimit: perAddress('totp-confirm', 20, 15 * 60_000),
      body: z.object({ code: z.string().regex(/^\d{6}$/) }),
      responses: {
        200: {
          description: 'enabled; recovery codes are shown only now',
          schema: SignedIn.extend({ recoveryCodes: z.array(z.string()) }),
        },
      },
      handler: async (koa, { body }) => {
        const caller = callerOf(koa);
        const done = await vault.accounts.confirmTotpEnrollment(caller.userId, body.code);
        return {
          status: 200,
          body: {
            userId: caller.userId,
            recoveryCodes: done.recoveryCodes,
            ...startSession(ctx, koa, done.session),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/totp/disable',
      summary: 'Turn two-factor sign-in off (password required); ends every session',
      tags,
      auth: 'user',
      body: z.object({ password: Password }),
      responses: { 204: { description: 'disabled; sign in again' } },
      handler: async (koa, { body }) => {
        await vault.accounts.disableTotp(callerOf(koa).userId, body);
        clearSessionCookie(koa);
        return { status: 204 };
      },
    }),
  ];
}

/** The binding of an emailed code: a hash of the random value only the asking browser holds. */
function bindingOf(nonce: string): string {
  return createHash('sha256').update(`vaultmark/email-code-binding\n${nonce}`).digest('hex');
}
