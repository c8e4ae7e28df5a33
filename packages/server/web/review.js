// Review on a player: comment markers under the waveform (a point or a range; older versions'
// greyed), a comment form (at the playhead or over a range), comment threads and decisions.
// Shared by the owner's track page and the recipient's page; the caller passes the API calls.
import { el, formatDate } from './api.js';
import { formatTime } from './waveform.js';

/** Seconds from `m:ss`, `m:ss.s` or plain seconds; NaN when it is neither. */
export function parseTime(text) {
  const t = String(text ?? '').trim();
  if (t === '') return Number.NaN;
  const m = /^(\d+):([0-5]?\d(?:\.\d+)?)$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/** `0:40` or `0:40–0:52`. */
export function span(c) {
  return c.endSeconds === null || c.endSeconds === undefined
    ? formatTime(c.atSeconds)
    : `${formatTime(c.atSeconds)}–${formatTime(c.endSeconds)}`;
}

const versionLabel = (c) => (c.version.current ? '' : `version ${c.version.number}`);

/**
 * The marker lane under a player's waveform: one button per thread, placed at its position
 * (a band for a range). Activating one seeks there and moves focus to the thread.
 */
export function markers(player, audio) {
  const canvas = player.querySelector('canvas');
  const lane = el('div', {
    class: 'review-markers',
    role: 'group',
    'aria-label': 'Comments on the waveform',
  });
  canvas.after(lane);
  const total = () => audio.duration || Number(canvas.getAttribute('aria-valuemax')) || 0;
  let last = null;
  // The length may arrive after the comments (the track's details, the audio's metadata).
  new MutationObserver(() => last && paint(...last)).observe(canvas, {
    attributes: true,
    attributeFilter: ['aria-valuemax'],
  });
  const paint = (threads, scope) => {
    last = [threads, scope];
    const length = total();
    lane.replaceChildren(
      ...threads.map((c) => {
        const left = length > 0 ? Math.min(100, (c.atSeconds / length) * 100) : 0;
        const right =
          length > 0 && c.endSeconds !== null ? Math.min(100, (c.endSeconds / length) * 100) : left;
        const marker = el('button', {
          type: 'button',
          class: `marker${c.endSeconds !== null ? ' range' : ''}${c.version.current ? '' : ' older'}${c.resolvedAt ? ' resolved' : ''}`,
          'data-comment': c.id,
          'aria-label': `Comment by ${c.author.name} at ${span(c)}${c.version.current ? '' : ` (${versionLabel(c)})`}: ${c.body}`,
          title: `${c.author.name}, ${span(c)}`,
          onclick: () => {
            if (total() > 0) audio.currentTime = Math.min(c.atSeconds, total());
            scope.querySelector(`#c-${c.id}`)?.focus();
          },
        });
        marker.style.left = `${left}%`;
        if (right > left) marker.style.width = `${right - left}%`;
        return marker;
      }),
    );
  };
  return paint;
}

/**
 * A form for a new comment: where (from the playhead, or typed; an optional end for a range) and
 * the text. `send({ body, atSeconds, endSeconds? })` posts it.
 */
export function commentForm(audio, idBase, send) {
  const from = el('input', {
    name: 'from',
    id: `${idBase}-from`,
    inputmode: 'decimal',
    placeholder: '0:00',
    size: 6,
    required: true,
  });
  const to = el('input', {
    name: 'to',
    id: `${idBase}-to`,
    inputmode: 'decimal',
    placeholder: 'optional',
    size: 6,
  });
  const body = el('textarea', {
    name: 'body',
    id: `${idBase}-body`,
    rows: 3,
    maxlength: 5000,
    required: true,
  });
  const error = el('p', { class: 'error', role: 'alert' });
  const playhead = (input) =>
    el('button', {
      type: 'button',
      class: 'secondary small',
      text: 'Playhead',
      'aria-label': `Set ${input === from ? 'the start' : 'the end'} to the playhead`,
      onclick: () => {
        input.value = formatTime(audio.currentTime || 0);
      },
    });
  const form = el(
    'form',
    { class: 'review-form stack' },
    el(
      'div',
      { class: 'row' },
      el(
        'span',
        { class: 'field' },
        el('label', { for: from.id, text: 'From' }),
        from,
        playhead(from),
      ),
      el('span', { class: 'field' }, el('label', { for: to.id, text: 'To' }), to, playhead(to)),
    ),
    el('label', { for: body.id, text: 'Comment' }),
    body,
    error,
    el('button', { type: 'submit', text: 'Add comment' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const atSeconds = parseTime(from.value);
    const endSeconds = to.value.trim() ? parseTime(to.value) : undefined;
    if (!Number.isFinite(atSeconds) || (endSeconds !== undefined && !(endSeconds > atSeconds))) {
      error.textContent = 'Give a start like 1:05, and an end after it for a range.';
      return;
    }
    try {
      await send({
        body: body.value,
        atSeconds,
        ...(endSeconds !== undefined ? { endSeconds } : {}),
      });
      form.reset();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

/**
 * The list of threads. `actions(comment)` returns extra controls for a comment (reply, resolve,
 * edit, delete) or nothing.
 */
export function threadList(threads, audio, actions = () => []) {
  if (threads.length === 0) return el('p', { class: 'muted', text: 'No comments yet.' });
  const item = (c, reply) =>
    el(
      'li',
      {
        id: `c-${c.id}`,
        tabindex: -1,
        class: `comment${reply ? ' reply' : ''}${c.version.current ? '' : ' older'}${c.resolvedAt ? ' resolved' : ''}`,
      },
      el(
        'p',
        { class: 'comment-head' },
        el('strong', { text: c.author.name }),
        c.author.kind === 'member'
          ? ''
          : el('span', { class: 'muted', text: ` (${c.author.kind})` }),
        ' ',
        reply
          ? ''
          : el('button', {
              type: 'button',
              class: 'link mono',
              text: span(c),
              'aria-label': `Play from ${span(c)}`,
              onclick: () => {
                audio.currentTime = c.atSeconds;
              },
            }),
        c.version.current ? '' : el('span', { class: 'tag', text: versionLabel(c) }),
        c.resolvedAt && !reply ? el('span', { class: 'tag', text: 'resolved' }) : '',
        ' ',
        el('time', { class: 'muted', datetime: c.createdAt, text: formatDate(c.createdAt) }),
      ),
      el('p', { class: 'comment-body', text: c.body }),
      actions(c),
      reply || c.replies.length === 0
        ? ''
        : el('ol', { class: 'replies' }, ...c.replies.map((r) => item(r, true))),
    );
  return el('ol', { class: 'threads' }, ...threads.map((c) => item(c, false)));
}

const DECISION = { approved: 'Approved', changes_requested: 'Changes requested' };

/** Decisions on a version, and the buttons to record one's own. */
export function decisions(current, record) {
  const note = el('input', {
    name: 'note',
    maxlength: 2000,
    'aria-label': 'Note with your decision (optional)',
    placeholder: 'Note (optional)',
  });
  const error = el('p', { class: 'error', role: 'alert' });
  const button = (decision, text, cls) =>
    el('button', {
      type: 'button',
      class: cls,
      text,
      onclick: async () => {
        error.textContent = '';
        try {
          await record({ decision, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
        } catch (e) {
          error.textContent = e.message;
        }
      },
    });
  return el(
    'div',
    { class: 'decisions stack' },
    current.items.length === 0
      ? el('p', { class: 'muted', text: `No decisions on version ${current.version.number} yet.` })
      : el(
          'ul',
          { class: 'links' },
          ...current.items.map((a) =>
            el(
              'li',
              { class: `decision ${a.decision}` },
              el('strong', { text: a.reviewer.name }),
              `: ${DECISION[a.decision]}`,
              a.note ? ` — “${a.note}”` : '',
              ' ',
              el('time', { class: 'muted', datetime: a.updatedAt, text: formatDate(a.updatedAt) }),
            ),
          ),
        ),
    el(
      'div',
      { class: 'row' },
      note,
      button('approved', 'Approve', ''),
      button('changes_requested', 'Request changes', 'secondary'),
    ),
    error,
  );
}

/**
 * A small button that runs `run()`, then `after()`; a failure goes to `fail(message)`
 * (default an alert).
 */
export function actionButton(text, label, run, after, fail = (m) => window.alert(m)) {
  return el('button', {
    type: 'button',
    class: 'secondary small',
    text,
    'aria-label': label,
    onclick: async () => {
      try {
        await run();
        await after();
      } catch (e) {
        fail(e.message);
      }
    },
  });
}

/**
 * Edit and delete buttons for the caller's own comment: `edit(text)` and `remove()` call the
 * API; `after()` redraws; `fail(message)` reports an error. None when the comment is not theirs.
 */
export function ownCommentButtons(c, edit, remove, after, fail) {
  if (!c.mine) return [];
  return [
    actionButton(
      'Edit',
      'Edit your comment',
      async () => {
        const text = window.prompt('Your comment', c.body);
        if (text?.trim()) await edit(text);
      },
      after,
      fail,
    ),
    actionButton(
      'Delete',
      'Delete your comment',
      async () => {
        if (window.confirm('Delete this comment?')) await remove();
      },
      after,
      fail,
    ),
  ];
}

/** {@link ownCommentButtons} in a row (empty when the comment is not the caller's). */
export function ownActions(c, edit, remove, after) {
  if (!c.mine) return '';
  return el('div', { class: 'row' }, ...ownCommentButtons(c, edit, remove, after));
}
