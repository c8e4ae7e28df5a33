// Creating a share: the chosen tracks, title and note, recipients, expiry, password, download
// permission; then each recipient's link, shown once, with a copy button. Once created, the form
// is locked: another click cannot create a second share.
import { api, el, formatDate, formatDuration, say } from './api.js';

const form = document.getElementById('share-form');
const recipients = document.getElementById('recipients');
const result = document.getElementById('share-result');
const trackIds = (new URLSearchParams(location.search).get('tracks') ?? '')
  .split(',')
  .filter(Boolean);

function recipientRow() {
  const index = recipients.children.length + 1;
  return el(
    'fieldset',
    { class: 'card recipient' },
    el('legend', { text: `Recipient ${index}` }),
    el('label', {}, 'Name', el('input', { name: 'name', required: true, autocomplete: 'off' })),
    el(
      'label',
      {},
      'Email',
      el('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' }),
    ),
    el('label', {}, 'Company (optional)', el('input', { name: 'company', autocomplete: 'off' })),
  );
}

recipients?.append(recipientRow());

/** The tracks being shared, by title (an id that is not in the library is said so). */
async function showTracks() {
  const list = document.getElementById('chosen-tracks');
  if (trackIds.length === 0) {
    list.replaceChildren(
      el(
        'li',
        {},
        'No tracks chosen. ',
        el('a', { href: '/library', text: 'Choose in the library' }),
      ),
    );
    return;
  }
  const items = await Promise.all(
    trackIds.map((id) =>
      api('GET', `/api/tracks/${encodeURIComponent(id)}`).then(
        (track) =>
          el(
            'li',
            {},
            el('strong', { text: track.title }),
            track.artist ? ` — ${track.artist}` : '',
            track.durationSeconds ? ` (${formatDuration(track.durationSeconds)})` : '',
          ),
        () => el('li', { class: 'error', text: 'A track that is not in your library' }),
      ),
    ),
  );
  list.replaceChildren(...items);
}

/** The organization's expiry rules, shown beside the date and enforced by the date picker. */
async function showExpiry() {
  const { defaultExpiryDays, maxExpiryDays } = await api('GET', '/api/share-settings');
  const day = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const input = form.querySelector('input[name=expiresAt]');
  input.min = day(0);
  input.max = day(maxExpiryDays);
  document.getElementById('expiry-help').textContent =
    `Without a date, links work for ${defaultExpiryDays} days (until ${formatDate(
      new Date(Date.now() + defaultExpiryDays * 86_400_000).toISOString(),
    )}); at most ${maxExpiryDays} days.`;
}

showTracks().catch((error) => say(error.message, 'error'));
showExpiry().catch(() => {});
document.getElementById('add-recipient')?.addEventListener('click', () => {
  const row = recipientRow();
  recipients.append(row);
  row.querySelector('input').focus();
});

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (trackIds.length === 0) {
    say('Choose tracks in the library first.', 'error');
    return;
  }
  const data = new FormData(form);
  const body = {
    trackIds,
    recipients: [...recipients.querySelectorAll('.recipient')].map((row) => {
      const value = (name) => row.querySelector(`[name=${name}]`).value.trim();
      return {
        name: value('name'),
        email: value('email'),
        ...(value('company') ? { company: value('company') } : {}),
      };
    }),
    allowDownload: data.get('allowDownload') === 'on',
    allowFeedback: data.get('allowFeedback') === 'on',
    notify: data.get('notify') === 'on',
  };
  for (const field of ['title', 'note']) {
    const value = String(data.get(field) ?? '').trim();
    if (value) body[field] = value;
  }
  const expires = data.get('expiresAt');
  if (expires) body.expiresAt = new Date(`${expires}T23:59:59`).toISOString();
  const password = data.get('password');
  if (password) body.password = password;
  const maxDownloads = data.get('maxDownloads');
  if (maxDownloads) body.maxDownloads = Number(maxDownloads);
  const fields = document.getElementById('share-fields');
  fields.disabled = true;
  let created = false;
  try {
    const share = await api('POST', '/api/shares', body);
    created = true;
    form.hidden = true;
    result.hidden = false;
    result.querySelector('ul').replaceChildren(
      ...share.links.map((link) => {
        const input = el('input', {
          value: link.url,
          readonly: true,
          'aria-label': `Link for ${link.recipientEmail}`,
          class: 'mono',
        });
        const copy = el('button', {
          type: 'button',
          text: 'Copy',
          onclick: async () => {
            await navigator.clipboard?.writeText(link.url).catch(() => input.select());
            say(`Copied the link for ${link.recipientEmail}.`, 'ok');
          },
        });
        return el('li', {}, el('strong', { text: link.recipientEmail }), ' ', input, ' ', copy);
      }),
    );
    result.querySelector('a.view').href = `/shares/${encodeURIComponent(share.id)}`;
    say(
      body.notify
        ? 'Share created and each recipient was emailed their link. The links are shown only now.'
        : 'Share created. Each link is personal: send it only to its recipient. Links are shown only now.',
      'ok',
    );
    result.querySelector('h2').focus();
  } catch (error) {
    say(error.message, 'error');
  } finally {
    // A created share stays created: the form stays locked.
    if (!created) fields.disabled = false;
  }
});
