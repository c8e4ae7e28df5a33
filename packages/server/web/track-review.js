// The owner's review of a track: comment markers under the waveform (every version's; older
// ones greyed with their version), threads with replies, resolve and reopen, edit and delete of
// one's own comments, a comment form, and the decisions on the current version.
import { api, el, formatDate, say } from './api.js';
import {
  actionButton,
  commentForm,
  decisions,
  markers,
  ownCommentButtons,
  threadList,
} from './review.js';

const root = document.getElementById('track');
const player = document.getElementById('track-player');
const id = root?.dataset.track;

function replyForm(c, reload) {
  const body = el('textarea', { id: `r-${c.id}`, rows: 2, maxlength: 5000, required: true });
  const form = el(
    'form',
    { class: 'stack' },
    el('label', { for: body.id, text: `Reply to ${c.author.name}` }),
    body,
    el('button', { type: 'submit', text: 'Reply' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('POST', `/api/tracks/${encodeURIComponent(id)}/comments`, {
        body: body.value,
        parentId: c.id,
      });
      await reload();
      say('Reply added.');
    } catch (e) {
      say(e.message, 'error');
    }
  });
  return el('details', { class: 'reply-box' }, el('summary', { text: 'Reply' }), form);
}

function actions(c, reload) {
  const fail = (m) => say(m, 'error');
  const controls = [];
  if (c.parentId === null) {
    controls.push(
      c.resolvedAt
        ? actionButton(
            'Reopen',
            `Reopen the thread of ${c.author.name}`,
            () => api('POST', `/api/comments/${c.id}/resolve`, { resolved: false }),
            reload,
            fail,
          )
        : actionButton(
            'Resolve',
            `Resolve the thread of ${c.author.name}`,
            () => api('POST', `/api/comments/${c.id}/resolve`, {}),
            reload,
            fail,
          ),
    );
  }
  controls.push(
    ...ownCommentButtons(
      c,
      (text) => api('PATCH', `/api/comments/${c.id}`, { body: text }),
      () => api('DELETE', `/api/comments/${c.id}`),
      reload,
      fail,
    ),
  );
  return el('div', { class: 'row' }, c.parentId === null ? replyForm(c, reload) : '', ...controls);
}

/** Guest reviewers invited to this track: invite, list with uses (time, hashed address), revoke. */
function guestReviewers(trackId) {
  const box = el('div', { class: 'stack' });
  const name = el('input', {
    id: 'guest-name',
    name: 'name',
    maxlength: 200,
    required: true,
    autocomplete: 'off',
  });
  const email = el('input', {
    id: 'guest-email',
    name: 'email',
    type: 'email',
    required: true,
    autocomplete: 'off',
  });
  const days = el('input', {
    id: 'guest-days',
    name: 'days',
    type: 'number',
    min: 1,
    max: 90,
    value: 14,
    required: true,
  });
  const result = el('p', { class: 'muted', 'aria-live': 'polite' });
  const form = el(
    'form',
    { id: 'guest-invite', class: 'stack' },
    el('label', { for: name.id, text: 'Guest’s name' }),
    name,
    el('label', { for: email.id, text: 'Guest’s email' }),
    email,
    el('label', { for: days.id, text: 'Days of access (1–90)' }),
    days,
    el('button', { type: 'submit', text: 'Invite a guest reviewer' }),
    result,
  );
  const list = el('ul', { class: 'links', id: 'guest-list' });
  const load = async () => {
    const { items } = await api('GET', '/api/guest-invitations');
    list.replaceChildren(
      ...items
        .filter((g) => g.trackId === trackId)
        .map((g) => {
          const uses = el('ol', { class: 'muted' });
          const details = el(
            'details',
            {
              ontoggle: async (event) => {
                if (!event.target.open) return;
                const answer = await api('GET', `/api/guest-invitations/${g.id}/uses`);
                uses.replaceChildren(
                  ...answer.items.map((u) =>
                    el('li', {
                      text: `${formatDate(u.at)} — ${u.action} — address ${u.ipHash ? u.ipHash.slice(0, 12) : 'unknown'}`,
                    }),
                  ),
                );
              },
            },
            el('summary', { text: `Uses (${g.uses})` }),
            uses,
          );
          return el(
            'li',
            { class: 'guest' },
            el('strong', { text: g.name }),
            ` <${g.email}> — ${g.revokedAt ? 'revoked' : `until ${formatDate(g.expiresAt)}`}`,
            details,
            g.revokedAt
              ? ''
              : el('button', {
                  type: 'button',
                  class: 'secondary small',
                  text: 'Revoke',
                  'aria-label': `Revoke the invitation of ${g.name}`,
                  onclick: async () => {
                    await api('DELETE', `/api/guest-invitations/${g.id}`).catch((e) =>
                      say(e.message, 'error'),
                    );
                    await load();
                  },
                }),
          );
        }),
    );
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const invited = await api('POST', '/api/guest-invitations', {
        name: name.value,
        email: email.value,
        trackId,
        expiresAt: new Date(Date.now() + Number(days.value) * 86_400_000).toISOString(),
      });
      result.textContent = invited.mailed
        ? `${invited.name} was emailed their link; they sign in with a code we email them.`
        : `The email could not be sent: give ${invited.name} this link yourself: ${invited.url}`;
      form.reset();
      await load();
    } catch (e) {
      result.textContent = e.message;
    }
  });
  load().catch(() => {});
  box.append(list, form);
  return box;
}

async function start() {
  const audio = player?.querySelector('audio');
  if (!root || !player || !audio || !id) return;
  const path = `/api/tracks/${encodeURIComponent(id)}`;
  const section = el('section', { class: 'card review stack', 'aria-labelledby': 'h-review' });
  player.after(section);
  const paint = markers(player, audio);
  const guests = guestReviewers(id);
  const reload = async () => {
    const [comments, approvals] = await Promise.all([
      api('GET', `${path}/comments`),
      api('GET', `${path}/approvals`),
    ]);
    paint(comments.items, section);
    section.replaceChildren(
      el('h2', { id: 'h-review', text: 'Review' }),
      el('p', {
        class: 'muted',
        text: 'Comments from members, guests and recipients, at a point or over a range. Comments on older versions are greyed and labelled with their version.',
      }),
      el('h3', { text: `Decisions on version ${approvals.version.number}` }),
      decisions(approvals, async (decision) => {
        await api('POST', `${path}/approvals`, decision);
        await reload();
      }),
      el('h3', { text: 'Comments' }),
      threadList(comments.items, audio, (c) => actions(c, reload)),
      el('h3', { text: 'Add a comment' }),
      commentForm(audio, 'new-comment', async (comment) => {
        await api('POST', `${path}/comments`, comment);
        await reload();
      }),
      el('h3', { text: 'Guest reviewers' }),
      el('p', {
        class: 'muted',
        text: 'A guest hears their own marked copy of this track, comments and approves; every use of their invitation is logged.',
      }),
      guests,
    );
  };
  await reload().catch((e) => say(e.message, 'error'));
}

// Runs after the page's own script (modules run before DOMContentLoaded), once the player exists.
document.addEventListener('DOMContentLoaded', start);
