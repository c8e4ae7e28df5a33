// One share: its recipients and what each of them opened, played and downloaded.
import { api, el, formatDate, say } from './api.js';
import { showActivity } from './share-activity.js';
import { showMembers, wireMemberForms } from './share-members.js';

const root = document.getElementById('share');
const id = root?.dataset.share;

function describe(entry) {
  if (entry.action === 'played' && entry.positionSeconds !== undefined)
    return `listened to ${Math.round(entry.positionSeconds)} s`;
  return entry.action;
}

/** The share's state in words, from the server's status (never from comparing dates here). */
export function shareState(share) {
  switch (share.status) {
    case 'revoked':
      return `Revoked ${formatDate(share.revokedAt)}`;
    case 'expired':
      return `Expired ${formatDate(share.expiresAt)}`;
    case 'scheduled':
      return `Opens ${formatDate(share.activatesAt)}, until ${formatDate(share.expiresAt)}`;
    default:
      return share.expiresAt ? `Active until ${formatDate(share.expiresAt)}` : 'Active';
  }
}

async function load() {
  const share = await api('GET', `/api/shares/${encodeURIComponent(id)}`);
  document.getElementById('share-state').textContent = shareState(share);
  const log = document.getElementById('access-log');
  const rows = (share.accessLog ?? []).map((entry) =>
    el(
      'tr',
      {},
      el('td', { text: formatDate(entry.at) }),
      el('td', { text: entry.recipientName ?? entry.recipientEmail ?? '' }),
      el('td', { text: entry.trackTitle ?? '' }),
      el('td', { text: describe(entry) }),
    ),
  );
  log.replaceChildren(
    ...(rows.length
      ? rows
      : [
          el(
            'tr',
            {},
            el('td', { colspan: 4, class: 'muted', text: 'Nobody has opened this share yet.' }),
          ),
        ]),
  );
  const active = share.status === 'active' || share.status === 'scheduled';
  // Nothing to revoke once the share is revoked or over.
  document.getElementById('revoke').hidden = !active;
  showRules(share);
  showMembers(share, load);
  await showActivity(id);
  document.getElementById('recipients').replaceChildren(
    ...(share.recipients ?? []).map((r) =>
      el(
        'tr',
        { 'data-recipient': r.id },
        el('td', { text: `${r.name} <${r.email}>${r.company ? `, ${r.company}` : ''}` }),
        el('td', { text: r.plays }),
        el('td', { text: r.downloads }),
        el('td', { text: r.revokedAt ? 'link revoked' : formatDate(r.lastAccessAt) }),
        el(
          'td',
          {},
          active && !r.revokedAt
            ? [
                el('button', {
                  type: 'button',
                  class: 'resend',
                  text: 'Resend link',
                  onclick: () => sendLink(r, 'resend'),
                }),
                ' ',
                el('button', {
                  type: 'button',
                  class: 'replace-link',
                  text: 'Replace link…',
                  onclick: () => sendLink(r, 'replace-link'),
                }),
                ' ',
                el('button', {
                  type: 'button',
                  class: 'revoke-one',
                  text: 'Revoke link',
                  onclick: () => revokeOne(r),
                }),
              ]
            : '',
        ),
      ),
    ),
  );
}

const rules = document.getElementById('share-change');

/** The rules form, filled from the share; a revoked share has no rules left to change. */
function showRules(share) {
  rules.hidden = Boolean(share.revokedAt);
  // The date input speaks local days; the share ends at the end of the chosen day.
  const local = new Date(share.expiresAt);
  const pad = (n) => String(n).padStart(2, '0');
  rules.elements.expiresAt.value = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
  rules.elements.allowDownload.checked = share.allowDownload;
  rules.elements.allowFeedback.checked = share.allowFeedback;
  rules.elements.maxDownloads.value = share.maxDownloads ?? '';
}

rules?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(rules);
  const max = String(data.get('maxDownloads') ?? '').trim();
  try {
    await api('PATCH', `/api/shares/${encodeURIComponent(id)}`, {
      expiresAt: new Date(`${data.get('expiresAt')}T23:59:59`).toISOString(),
      allowDownload: data.get('allowDownload') === 'on',
      allowFeedback: data.get('allowFeedback') === 'on',
      maxDownloads: max ? Number(max) : null,
    });
    say('Rules saved. The links stay the same.', 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
});

/**
 * `resend` mails the recipient the link they already have; `replace-link` (confirmed first) gives
 * them a new one, and the old one stops working. A replaced link is shown once, to copy.
 */
async function sendLink(recipient, how) {
  const replace = how === 'replace-link';
  if (
    replace &&
    !confirm(
      `Replace ${recipient.name}'s link? The link they have stops working at once; a new one is emailed to them.`,
    )
  )
    return;
  try {
    const sent = await api(
      'POST',
      `/api/shares/${encodeURIComponent(id)}/recipients/${encodeURIComponent(recipient.id)}/${how}`,
    );
    const shown = document.getElementById('new-link');
    shown.hidden = !sent.replaced;
    if (sent.replaced) shown.querySelector('input').value = sent.url;
    say(sentMessage(recipient.name, sent, replace), sent.mailed ? 'ok' : 'error');
  } catch (error) {
    say(error.message, 'error');
  }
}

function sentMessage(name, sent, replaceAsked) {
  if (!sent.replaced) {
    return sent.mailed
      ? `${name}'s link was emailed to them again; it is the link they already have.`
      : `The email to ${name} could not be sent; their link is unchanged. Try again later.`;
  }
  const why = replaceAsked
    ? `${name}'s link was replaced`
    : `${name}'s link dates from before links could be sent again, so it was replaced`;
  return sent.mailed
    ? `${why}; the new one was emailed to them.`
    : `${why}, but the email could not be sent: copy the new link below.`;
}

async function revokeOne(recipient) {
  if (!confirm(`Revoke ${recipient.name}'s link?`)) return;
  try {
    await api('POST', `/api/shares/${encodeURIComponent(id)}/revoke`, {
      recipientId: recipient.id,
    });
    say(`${recipient.name}'s link no longer works.`, 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
}

document.getElementById('revoke')?.addEventListener('click', async () => {
  if (!confirm('Revoke this share? Every link stops working at once.')) return;
  try {
    await api('POST', `/api/shares/${encodeURIComponent(id)}/revoke`, {});
    say('Share revoked.', 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
});

wireMemberForms(id, load);
load().catch((error) => say(error.message, 'error'));
