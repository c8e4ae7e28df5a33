import { appendActorAudit } from '../audit/audit-log.js';
import { tokenHash } from '../crypto/access-token.js';
import { isUuid, type Tx, withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Actor } from '../policies.js';
import { linkToken, matchesStoredHash, newLinkNonce } from './link-token.js';
import { linkBase } from './share-input.js';
import { linkMail, sendQuietly, shareForChange, shareStatus } from './shares.js';

type Deps = Pick<VaultDeps, 'db' | 'clock' | 'mailer' | 'auditSigner'>;

/** What {@link resendShareLink} and {@link replaceShareLink} return. */
export interface SentLink {
  token: string;
  /** `linkBase + token`, the link that was mailed. */
  url: string;
  /** Whether the mail port took the mail (a failure changes nothing else). */
  mailed: boolean;
  /** Whether the recipient's link changed (the previous one stops working). */
  replaced: boolean;
}

export interface LinkInput {
  shareId: string;
  recipientId: string;
  linkBase: string;
}

/**
 * Mails a recipient the link they already have: the token is derived again from the row's nonce
 * (see {@link linkToken}) and checked against the stored hash; nothing in the database changes.
 * A link that cannot be derived (made before links had a nonce, or derived from a secret since
 * changed) is replaced instead, once, and `replaced` says so. Refused for revoked recipients and
 * for revoked or expired shares. Audited as `share.resend`.
 */
export async function resendShareLink(
  deps: Deps,
  actor: Actor,
  input: LinkInput,
): Promise<SentLink> {
  return sendLink(deps, actor, input, false);
}

/**
 * Replaces a recipient's link: a new nonce, so a new token; the previous link and its unlock
 * grants stop working at once. The new link is mailed and returned. Audited as
 * `share.link_replace`.
 */
export async function replaceShareLink(
  deps: Deps,
  actor: Actor,
  input: LinkInput,
): Promise<SentLink> {
  return sendLink(deps, actor, input, true);
}

async function sendLink(
  deps: Deps,
  actor: Actor,
  input: LinkInput,
  replace: boolean,
): Promise<SentLink> {
  const base = linkBase(input?.linkBase);
  const { mail, token, replaced } = await withTenant(deps.db, actor.tenantId, async (tx) => {
    const share = await shareForChange(tx, actor, input.shareId, 'update');
    const r = await activeRecipient(tx, share.id, input.recipientId);
    const now = deps.clock.now();
    const status = shareStatus(share, now);
    if (status === 'revoked' || status === 'expired') {
      throw new ValidationError('the share is no longer active', 'shareId');
    }
    const secret = deps.auditSigner.secret;
    const seed = { tenantId: actor.tenantId, recipientId: r.id as string };
    let token = r.token_nonce ? linkToken(secret, { ...seed, nonce: r.token_nonce }) : null;
    const rotate = replace || token === null || !matchesStoredHash(token, r.token_hash);
    if (rotate) {
      const nonce = newLinkNonce();
      token = linkToken(secret, { ...seed, nonce });
      await tx('share_recipients')
        .where({ id: r.id })
        .update({ token_hash: tokenHash(token), token_nonce: nonce });
      await tx('share_grants').where({ recipient_id: r.id }).del();
    }
    await appendActorAudit(tx, now, actor, {
      action: replace ? 'share.link_replace' : 'share.resend',
      objectType: 'share',
      objectId: share.id,
      detail: { recipientId: r.id, replaced: rotate },
    });
    const summary = {
      title: share.title,
      note: share.note,
      expiresAt: new Date(share.expires_at),
    };
    return { mail: linkMail(r, base + token, summary), token: token as string, replaced: rotate };
  });
  // A replaced token is already stored: a failed mail still returns the new link to show.
  return { token, url: base + token, mailed: await sendQuietly(deps, mail), replaced };
}

async function activeRecipient(tx: Tx, shareId: string, recipientId: unknown) {
  const r = isUuid(recipientId)
    ? await tx('share_recipients').where({ id: recipientId, share_id: shareId }).first()
    : undefined;
  if (!r) throw new NotFoundError('recipient');
  if (r.revoked_at) throw new ValidationError('the link is revoked', 'recipientId');
  return r;
}
