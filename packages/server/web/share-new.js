// Creating a share: recipients, expiry, password, download permission; then each recipient's link,
// shown once, with a copy button.
import { api, el, say } from './api.js';

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
  };
  const expires = data.get('expiresAt');
  if (expires) body.expiresAt = new Date(`${expires}T23:59:59`).toISOString();
  const password = data.get('password');
  if (password) body.password = password;
  const maxDownloads = data.get('maxDownloads');
  if (maxDownloads) body.maxDownloads = Number(maxDownloads);
  form.querySelector('button[type=submit]').disabled = true;
  try {
    const share = await api('POST', '/api/shares', body);
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
      'Share created. Each link is personal: send it only to its recipient. Links are shown only now.',
      'ok',
    );
  } catch (error) {
    say(error.message, 'error');
  } finally {
    form.querySelector('button[type=submit]').disabled = false;
  }
});
