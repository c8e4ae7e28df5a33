import Router from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import { readSessionCookie } from '../auth/session-cookie.js';
import { type ServerContext, vaultSessions } from '../vault/server-context.js';
import { guestPage } from './pages/guest.js';
import {
  accountPage,
  investigationsPage,
  libraryPage,
  newSharePage,
  notFoundPage,
  notificationsPage,
  type OwnerPageContext,
  shareDetailPage,
  sharesPage,
  signInPage,
  signUpPage,
  trackPage,
} from './pages/owner.js';
import { participatePage } from './pages/participate.js';
import { recordingSessionPage, recordingSessionsPage } from './pages/recording.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A page for addresses nobody serves, for browsers (the API keeps answering JSON): a GET or HEAD
 * that asks for HTML, outside `/api/`, that nothing answered.
 */
export function pageNotFound(): Middleware {
  return async (koa, next) => {
    await next();
    const unanswered = koa.status === 404 && koa.body === undefined;
    if (
      unanswered &&
      (koa.method === 'GET' || koa.method === 'HEAD') &&
      !koa.path.startsWith('/api/') &&
      koa.accepts('json', 'html') === 'html'
    ) {
      koa.status = 404;
      koa.type = 'text/html; charset=utf-8';
      koa.set('Cache-Control', 'no-store');
      koa.body = notFoundPage();
    }
  };
}

/**
 * The owner's pages. Signed-in pages read the session cookie (an unknown or ended session is
 * sent to `/signin?next=...`) and carry the session's CSRF token for their scripts.
 */
export function pageRoutes(ctx: ServerContext): Router {
  const sessions = vaultSessions(ctx.vault);
  const router = new Router();
  const send = (koa: ParameterizedContext, body: string) => {
    koa.type = 'text/html; charset=utf-8';
    koa.set('Cache-Control', 'private, no-store');
    koa.body = body;
  };
  const owner = async (koa: ParameterizedContext): Promise<OwnerPageContext | undefined> => {
    const token = readSessionCookie(koa);
    const caller = token ? await sessions.resolve(token) : undefined;
    if (!caller) {
      koa.redirect(`/signin?next=${encodeURIComponent(koa.path)}`);
      return undefined;
    }
    const memberships = await ctx.vault.accounts.listMemberships(caller.userId);
    const here = memberships.find((m) => m.organizationId === caller.tenantId);
    return { displayName: here?.name ?? '', csrfToken: ctx.csrf.issue(caller.sessionId) };
  };
  const ownerPage =
    (render: (page: OwnerPageContext, koa: ParameterizedContext) => string) =>
    async (koa: ParameterizedContext) => {
      const page = await owner(koa);
      if (page) send(koa, render(page, koa));
    };

  router.get('/', (koa) => koa.redirect('/library'));
  router.get('/signin', (koa) => send(koa, signInPage()));
  router.get('/signup', (koa) => send(koa, signUpPage()));
  router.get('/guest', (koa) => send(koa, guestPage()));
  router.get('/participate', (koa) => send(koa, participatePage()));
  router.get('/library', ownerPage(libraryPage));
  router.get('/shares', ownerPage(sharesPage));
  router.get('/shares/new', ownerPage(newSharePage));
  router.get('/account', ownerPage(accountPage));
  router.get('/notifications', ownerPage(notificationsPage));
  router.get(
    '/shares/:id',
    ownerPage((page, koa) => {
      const id = String(koa.params.id);
      return shareDetailPage(page, UUID.test(id) ? id : '');
    }),
  );
  router.get('/investigations', ownerPage(investigationsPage));
  router.get('/recording-sessions', ownerPage(recordingSessionsPage));
  router.get('/recording-sessions/:id', async (koa, next) => {
    if (!UUID.test(String(koa.params.id))) return next();
    await ownerPage((page) => recordingSessionPage(page, String(koa.params.id)))(koa);
  });
  router.get('/tracks/:id', async (koa, next) => {
    if (!UUID.test(String(koa.params.id))) return next();
    await ownerPage((page) => trackPage(page, String(koa.params.id)))(koa);
  });
  return router;
}
