// The recipient's feedback, when the share takes it: under each player, markers for their own
// comments, a comment form (at the playhead or over a range), their threads with the replies,
// and their decision.
import { api, el } from './api.js';
import { commentForm, decisions, markers, ownActions, threadList } from './review.js';

const eventsUrl = document.querySelector('meta[name="vaultmark-events"]')?.content;
const base = eventsUrl?.replace(/\/events$/, '');

async function start() {
  if (!base) return;
  const feedback = await api('GET', `${base}/review`).catch(() => null);
  if (!feedback?.allowFeedback) return;
  for (const player of document.querySelectorAll('.player[data-track]')) {
    const trackId = player.dataset.track;
    const audio = player.querySelector('audio');
    if (!audio) continue;
    const title = player.dataset.title ?? '';
    const at = `${base}/tracks/${encodeURIComponent(trackId)}`;
    const section = el('div', {
      class: 'review stack',
      'aria-label': `Your feedback on ${title}`,
      role: 'region',
    });
    player.after(section);
    const paint = markers(player, audio);
    const show = (review) => {
      paint(review.comments, section);
      section.replaceChildren(
        el('h3', { text: 'Your feedback' }),
        decisions(review.approvals, async (decision) => {
          await api('POST', `${at}/approvals`, decision);
          show(await api('GET', `${at}/review`));
        }),
        commentForm(audio, `f-${trackId}`, async (comment) => {
          await api('POST', `${at}/comments`, comment);
          show(await api('GET', `${at}/review`));
        }),
        threadList(review.comments, audio, (c) =>
          ownActions(
            c,
            (body) => api('PATCH', `${base}/comments/${c.id}`, { body }),
            () => api('DELETE', `${base}/comments/${c.id}`),
            async () => show(await api('GET', `${at}/review`)),
          ),
        ),
      );
    };
    show(
      feedback.tracks[trackId] ?? {
        comments: [],
        approvals: { version: { number: 1 }, items: [] },
      },
    );
  }
}

start();
