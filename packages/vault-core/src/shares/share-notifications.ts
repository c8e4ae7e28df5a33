import type { Tx } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import { notify } from '../notifications/notify.js';
import type { RecipientContext } from './recipient-context.js';

/** Wrong passwords in a row on one link (all addresses) after which its owner is told, once. */
export const PASSWORD_FAILURES_NOTIFIED = 3;

/** A recipient event the share's creator hears about. */
export type ShareEvent =
  | { kind: 'share.opened' }
  | { kind: 'share.played'; track: { id: string; title: string } }
  | { kind: 'share.downloaded'; track: { id: string; title: string } }
  | { kind: 'share.password_failed'; failures: number };

function shareName(share: { title?: string | null }): string {
  return share.title ? `“${share.title}”` : 'your share';
}

function summary(ctx: RecipientContext, event: ShareEvent): string {
  const who = String(ctx.recipient.name);
  const what = shareName(ctx.share);
  switch (event.kind) {
    case 'share.opened':
      return `${who} opened ${what}`;
    case 'share.played':
      return `${who} started listening to “${event.track.title}” in ${what}`;
    case 'share.downloaded':
      return `${who} downloaded “${event.track.title}” from ${what}`;
    case 'share.password_failed':
      return `${event.failures} wrong passwords in a row on ${who}’s link to ${what}`;
  }
}

/**
 * Tells the share's creator about a recipient event, in the recipient's transaction. Callers
 * make sure it happens once where it should (first open, first play): this only writes.
 */
export function notifyShareEvent(
  tx: Tx,
  deps: Pick<VaultDeps, 'clock'> & Partial<Pick<VaultDeps, 'mailer'>>,
  ctx: RecipientContext,
  event: ShareEvent,
) {
  return notify(tx, deps, {
    tenantId: ctx.tenantId,
    userIds: [ctx.share.created_by],
    kind: event.kind,
    subject: {
      shareId: String(ctx.share.id),
      recipientId: String(ctx.recipient.id),
      ...('track' in event ? { trackId: event.track.id } : {}),
    },
    summary: summary(ctx, event),
  });
}
