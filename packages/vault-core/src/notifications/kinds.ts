/**
 * The kinds of notification a member can receive, with their wording in the settings and their
 * defaults. A kind is a dotted name, `<area>.<event>` (lower case and underscores).
 *
 * ## Adding a kind (for another vault-core module)
 *
 * 1. Add an entry to {@link NOTIFICATION_KINDS} below: `label` and `description` are what the
 *    settings page shows, `defaults` what a member gets until they change it, `emailSubject`
 *    the subject line of the email (the body is the notification's summary). No migration is
 *    needed: the feed and the settings store the kind as text.
 * 2. In the use-case where the event happens, call {@link notify} (`./notify.ts`) with the
 *    use-case's own transaction, the users to tell, the kind, the ids the event is about
 *    (`subject`, e.g. `{ trackId, commentId }`; ids only, they go into exports and links) and a
 *    one-line `summary` written for the person reading it. Rows are written in that transaction
 *    (they vanish if it rolls back); emails go out only after it commits.
 * 3. Let the web page link it: the server turns `subject` ids into an address (see the server's
 *    notifications page) — add the new subject there if it names something new.
 *
 * Muting is per member, per organization and per kind, with email and the in-app feed apart.
 */
export interface NotificationKind {
  /** Short name in the settings, e.g. "A recipient opens a share". */
  label: string;
  /** One sentence saying when it is sent. */
  description: string;
  /** What a member who never changed the setting gets. */
  defaults: { email: boolean; inApp: boolean };
  /** Subject line of the email, from the notification's summary. */
  emailSubject(summary: string): string;
}

const subject = (summary: string) => `Vaultmark: ${summary}`;

/** Every kind, in the order the settings list them. */
export const NOTIFICATION_KINDS = {
  'share.opened': {
    label: 'A recipient opens a share',
    description: 'The first time each recipient opens their link.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'share.played': {
    label: 'A recipient starts listening',
    description: 'The first play on each recipient’s link.',
    defaults: { email: false, inApp: true },
    emailSubject: subject,
  },
  'share.downloaded': {
    label: 'A recipient downloads a track',
    description: 'Every download of a watermarked copy.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'share.password_failed': {
    label: 'Wrong share passwords',
    description: 'When a link’s password has been entered wrongly several times in a row.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'review.comment': {
    label: 'A comment on your track',
    description: 'Someone comments on a track you uploaded: a member, a guest or a recipient.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'review.reply': {
    label: 'A reply in your thread',
    description: 'Someone replies to your comment, or in a thread on your track.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'review.mention': {
    label: 'You are mentioned',
    description: 'A comment mentions you (@ and your name or email address).',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
  'review.approval': {
    label: 'An approval on your track',
    description: 'Someone approves a version of your track or asks for changes.',
    defaults: { email: true, inApp: true },
    emailSubject: subject,
  },
} as const satisfies Record<string, NotificationKind>;

/** A known notification kind. */
export type NotificationKindName = keyof typeof NOTIFICATION_KINDS;

/** Whether `kind` names a kind in {@link NOTIFICATION_KINDS}. */
export function isNotificationKind(kind: unknown): kind is NotificationKindName {
  return typeof kind === 'string' && Object.hasOwn(NOTIFICATION_KINDS, kind);
}
