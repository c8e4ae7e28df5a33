// Changing who and what an existing share holds: adding recipients (each gets a link of their
// own, emailed by default) and adding or taking out tracks.
import { api, el, say } from './api.js';

/** Shows the share's tracks and the add forms; `reload` refreshes the whole page's data. */
export function showMembers(share, reload) {
  const id = share.id;
  const open = share.status === 'active' || share.status === 'scheduled';
  const recipientForm = document.getElementById('recipient-add');
  const trackForm = document.getElementById('track-add');
  recipientForm.hidden = !open;
  trackForm.hidden = !open;
  document.getElementById('share-tracks').replaceChildren(
    ...share.tracks.map((t) =>
      el(
        'li',
        { 'data-track': t.id },
        el('a', { href: `/tracks/${encodeURIComponent(t.id)}`, text: t.title }),
        ' ',
        open && share.tracks.length > 1
          ? el('button', {
              type: 'button',
              class: 'remove-track',
              text: 'Take out',
              'aria-label': `Take out “${t.title}”`,
              onclick: async () => {
                if (!confirm(`Take “${t.title}” out of this share? Recipients lose it at once.`))
                  return;
                try {
                  await api(
                    'DELETE',
                    `/api/shares/${encodeURIComponent(id)}/tracks/${encodeURIComponent(t.id)}`,
                  );
                  say(`“${t.title}” is no longer in this share.`, 'ok');
                  await reload();
                } catch (error) {
                  say(error.message, 'error');
                }
              },
            })
          : null,
      ),
    ),
  );
  if (open) fillTrackChoice(share, trackForm.elements.trackId);
}

async function fillTrackChoice(share, select) {
  const inShare = new Set(share.tracks.map((t) => t.id));
  const { items } = await api('GET', '/api/tracks?limit=200&sort=title');
  const choices = items.filter((t) => !inShare.has(t.id) && t.analysisStatus !== 'failed');
  select.replaceChildren(...choices.map((t) => el('option', { value: t.id, text: t.title })));
  select.closest('form').hidden = choices.length === 0;
}

/** Wires the two add forms once. */
export function wireMemberForms(id, reload) {
  const recipientForm = document.getElementById('recipient-add');
  recipientForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(recipientForm);
    try {
      const { links } = await api('POST', `/api/shares/${encodeURIComponent(id)}/recipients`, {
        recipients: [{ name: data.get('name'), email: data.get('email') }],
        notify: data.get('notify') === 'on',
      });
      document.getElementById('added-links').append(
        ...links.map((link) =>
          el(
            'li',
            {},
            el('span', { text: `${link.recipientName}’s link (shown only now): ` }),
            el('input', {
              class: 'mono',
              readonly: true,
              value: link.url,
              'aria-label': `${link.recipientName}’s link`,
            }),
          ),
        ),
      );
      recipientForm.reset();
      say(links[0]?.mailed ? 'Recipient added; their link was emailed.' : 'Recipient added.', 'ok');
      await reload();
    } catch (error) {
      say(error.message, 'error');
    }
  });
  const trackForm = document.getElementById('track-add');
  trackForm?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const trackId = trackForm.elements.trackId.value;
    try {
      await api('POST', `/api/shares/${encodeURIComponent(id)}/tracks`, { trackIds: [trackId] });
      say('Track added. Every recipient gets their own marked copy.', 'ok');
      await reload();
    } catch (error) {
      say(error.message, 'error');
    }
  });
}
