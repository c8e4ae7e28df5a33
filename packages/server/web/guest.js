// The guest reviewer's page: sign in with the invitation's link (its token is in the fragment)
// and an emailed code, then listen to one's own marked copy of each track, comment and approve.
import { el, say } from './api.js';
import { commentForm, decisions, markers, ownActions, threadList } from './review.js';
import { wirePlayer } from './waveform.js';

const SESSION = 'vaultmark-guest-session';
const LINK = 'vaultmark-guest-link';
if (location.hash.length > 1) {
  sessionStorage.setItem(LINK, location.hash.slice(1));
  // Out of the address bar and the history: the link is kept for this tab only.
  history.replaceState(null, '', location.pathname);
}
const link = sessionStorage.getItem(LINK);
const signin = document.getElementById('guest-signin');
const codeForm = document.getElementById('guest-code');

/** Calls the guest API with the session header; throws the server's message. */
async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const session = sessionStorage.getItem(SESSION);
  if (session) headers['X-Vaultmark-Guest-Session'] = session;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

document.getElementById('send-code')?.addEventListener('click', async () => {
  if (!link) {
    say('Open the link from your invitation email.', 'error');
    return;
  }
  try {
    const { email } = await call('POST', '/api/guest/code', { link });
    codeForm.hidden = false;
    codeForm.elements.code.focus();
    say(`We sent a code to ${email}.`);
  } catch (error) {
    say(error.message, 'error');
  }
});

codeForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const signed = await call('POST', '/api/guest/session', {
      link,
      code: String(codeForm.elements.code.value).trim(),
    });
    sessionStorage.setItem(SESSION, signed.session);
    say('');
    await show();
  } catch (error) {
    say(error.message, 'error');
  }
});

function track(t) {
  const base = `/api/guest/review/tracks/${encodeURIComponent(t.id)}`;
  const canvas = el('canvas', {
    class: 'waveform',
    role: 'slider',
    tabindex: 0,
    'aria-label': `Seek in ${t.title}`,
    'aria-valuemin': 0,
    'aria-valuemax': Math.round(t.durationSeconds ?? 0),
    'aria-valuenow': 0,
  });
  const player = el(
    'div',
    { class: 'player' },
    canvas,
    el(
      'div',
      { class: 'controls' },
      el('button', {
        type: 'button',
        class: 'play',
        'data-name': t.title,
        'aria-label': `Play ${t.title}`,
        text: 'Play',
      }),
      el('span', { class: 'time mono', text: '0:00 / 0:00' }),
    ),
  );
  const audio = new Audio();
  audio.preload = 'none';
  player.append(audio);
  // The guest's copy is marked for them; it is fetched (with the session) on first play.
  let loading;
  const peaks = fetch(`${base}/peaks`, {
    headers: { 'X-Vaultmark-Guest-Session': sessionStorage.getItem(SESSION) ?? '' },
  })
    .then((response) => (response.status === 200 ? response.json() : null))
    .catch(() => null);
  wirePlayer(player, audio, peaks, () => {
    if (!audio.paused) {
      audio.pause();
      return;
    }
    loading ??= fetch(`${base}/audio`, {
      headers: { 'X-Vaultmark-Guest-Session': sessionStorage.getItem(SESSION) ?? '' },
    }).then(async (response) => {
      if (!response.ok) throw new Error('the audio could not be loaded');
      audio.src = URL.createObjectURL(await response.blob());
    });
    loading
      .then(() => audio.play())
      .catch((error) => {
        loading = undefined;
        say(error.message, 'error');
      });
  });
  const region = el('div', {
    class: 'review stack',
    role: 'region',
    'aria-label': `Your feedback on ${t.title}`,
  });
  const paint = markers(player, audio);
  const render = (review) => {
    paint(review.comments, region);
    region.replaceChildren(
      el('h3', { text: 'Your feedback' }),
      decisions(review.approvals, async (decision) => {
        await call('POST', `${base}/approvals`, decision);
        render(await call('GET', base));
      }),
      commentForm(audio, `g-${t.id}`, async (comment) => {
        await call('POST', `${base}/comments`, comment);
        render(await call('GET', base));
      }),
      threadList(review.comments, audio, (c) =>
        ownActions(
          c,
          (body) => call('PATCH', `/api/guest/review/comments/${c.id}`, { body }),
          () => call('DELETE', `/api/guest/review/comments/${c.id}`),
          async () => render(await call('GET', base)),
        ),
      ),
    );
  };
  call('GET', base)
    .then(render)
    .catch((error) => say(error.message, 'error'));
  return el(
    'section',
    { class: 'card track', 'aria-labelledby': `t-${t.id}` },
    el('h2', { id: `t-${t.id}`, text: t.artist ? `${t.title} — ${t.artist}` : t.title }),
    player,
    region,
  );
}

async function show() {
  if (!sessionStorage.getItem(SESSION)) return;
  try {
    const view = await call('GET', '/api/guest/review');
    signin.hidden = true;
    const name = document.getElementById('guest-name');
    name.hidden = false;
    name.textContent = `Signed in as ${view.name}.`;
    document.getElementById('guest-tracks').replaceChildren(...view.tracks.map(track));
  } catch (error) {
    if (error.status === 401) {
      sessionStorage.removeItem(SESSION);
      say('Your guest session has ended: ask for a new code.', 'error');
    } else say(error.message, 'error');
  }
}

show();
