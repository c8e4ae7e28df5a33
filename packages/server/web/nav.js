// The signed-in pages' navigation: the organization switcher, the unread notifications and
// signing out.
import { api, chooseOrganization, currentOrganization, el } from './api.js';

document.getElementById('signout')?.addEventListener('click', async () => {
  await api('POST', '/api/auth/logout').catch(() => {});
  chooseOrganization(undefined);
  location.assign('/signin');
});

const picker = document.getElementById('organization');
if (picker) {
  // Requests carry the chosen organization; the list comes from the caller's memberships.
  fetch('/api/organizations', { headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : { items: [] }))
    .then(({ items }) => {
      const chosen = currentOrganization();
      if (chosen && !items.some((o) => o.id === chosen)) {
        chooseOrganization(undefined);
        location.reload();
        return;
      }
      picker.replaceChildren(
        ...items.map((o) =>
          el('option', {
            value: o.personal ? '' : o.id,
            text: o.personal ? 'Personal' : o.name,
            selected: (o.personal && !chosen) || o.id === chosen,
          }),
        ),
      );
      picker.hidden = items.length < 2;
    })
    .catch(() => {});
  picker.addEventListener('change', () => {
    chooseOrganization(picker.value || undefined);
    location.reload();
  });
}

const badge = document.getElementById('unread');

/** Shows the unread count next to "Notifications" (hidden at zero). */
export function showUnread(count) {
  if (!badge) return;
  badge.hidden = !count;
  badge.replaceChildren(
    count > 99 ? '99+' : String(count),
    el('span', { class: 'visually-hidden', text: ' unread' }),
  );
}

if (badge && location.pathname !== '/notifications') {
  api('GET', '/api/notifications/unread-count')
    .then(({ unread }) => showUnread(unread))
    .catch(() => {});
}
