// The owner's review of a track: comment markers under the waveform (every version's; older
// ones greyed with their version), threads with replies, resolve and reopen, edit and delete of
// one's own comments, a comment form, and the decisions on the current version.
import { api, el, say } from './api.js';
import { commentForm, decisions, markers, threadList } from './review.js';

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
  const act = (text, label, run) =>
    el('button', {
      type: 'button',
      class: 'secondary small',
      text,
      'aria-label': label,
      onclick: async () => {
        try {
          await run();
          await reload();
        } catch (e) {
          say(e.message, 'error');
        }
      },
    });
  const controls = [];
  if (c.parentId === null) {
    controls.push(
      c.resolvedAt
        ? act('Reopen', `Reopen the thread of ${c.author.name}`, () =>
            api('POST', `/api/comments/${c.id}/resolve`, { resolved: false }),
          )
        : act('Resolve', `Resolve the thread of ${c.author.name}`, () =>
            api('POST', `/api/comments/${c.id}/resolve`, {}),
          ),
    );
  }
  if (c.mine) {
    controls.push(
      act('Edit', 'Edit your comment', async () => {
        const text = window.prompt('Your comment', c.body);
        if (text?.trim()) await api('PATCH', `/api/comments/${c.id}`, { body: text });
      }),
      act('Delete', 'Delete your comment', async () => {
        if (window.confirm('Delete this comment?')) await api('DELETE', `/api/comments/${c.id}`);
      }),
    );
  }
  return el('div', { class: 'row' }, c.parentId === null ? replyForm(c, reload) : '', ...controls);
}

async function start() {
  const audio = player?.querySelector('audio');
  if (!root || !player || !audio || !id) return;
  const path = `/api/tracks/${encodeURIComponent(id)}`;
  const section = el('section', { class: 'card review stack', 'aria-labelledby': 'h-review' });
  player.after(section);
  const paint = markers(player, audio);
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
    );
  };
  await reload().catch((e) => say(e.message, 'error'));
}

// Runs after the page's own script (modules run before DOMContentLoaded), once the player exists.
document.addEventListener('DOMContentLoaded', start);
