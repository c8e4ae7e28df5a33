// The account page: two-factor enrolment, sessions and API tokens, and account deletion.
import { ApiError, api, chooseOrganization, el, formatDate, say } from './api.js';

const start = document.getElementById('totp-start');
const setup = document.getElementById('totp-setup');
const confirmForm = document.getElementById('totp-confirm');
const disableForm = document.getElementById('totp-disable');

start?.addEventListener('click', async () => {
  try {
    const { secret, uri } = await api('POST', '/api/auth/totp/enroll');
    document.getElementById('totp-secret').textContent = secret.replace(/(.{4})/g, '$1 ').trim();
    document.getElementById('totp-uri').href = uri;
    setup.hidden = false;
    start.hidden = true;
    confirmForm.querySelector('input').focus();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'invalid_input') {
      // Already enabled: offer to turn it off instead.
      start.hidden = true;
      disableForm.hidden = false;
    }
    say(error.message, 'error');
  }
});

confirmForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { recoveryCodes } = await api('POST', '/api/auth/totp/confirm', {
      code: new FormData(confirmForm).get('code'),
    });
    setup.hidden = true;
    document.getElementById('totp-codes').hidden = false;
    document
      .getElementById('recovery-codes')
      .replaceChildren(...recoveryCodes.map((code) => el('li', { text: code })));
    say('Two-factor sign-in is on. Your other sessions have ended.', 'ok');
    // The session was renewed: reload for its new CSRF token after the codes are noted.
    document.getElementById('totp-codes').append(
      el('button', {
        type: 'button',
        text: 'I have saved them',
        onclick: () => location.reload(),
      }),
    );
  } catch (error) {
    say(error.message, 'error');
  }
});

disableForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api('POST', '/api/auth/totp/disable', {
      password: new FormData(disableForm).get('password'),
    });
    location.assign('/signin');
  } catch (error) {
    say(error.message, 'error');
  }
});

async function loadSessions() {
  const { items } = await api('GET', '/api/account/sessions');
  document.getElementById('sessions').replaceChildren(
    ...items.map((session) =>
      el(
        'tr',
        { 'data-session': session.id },
        el('td', { text: session.kind === 'api' ? 'API token' : 'Browser' }),
        el('td', { text: session.current ? 'This browser' : (session.userAgent ?? '') }),
        el('td', { text: formatDate(session.lastSeenAt) }),
        el('td', { text: formatDate(session.expiresAt) }),
        el(
          'td',
          {},
          session.current
            ? ''
            : el('button', {
                type: 'button',
                text: 'Revoke',
                onclick: async () => {
                  try {
                    await api('DELETE', `/api/account/sessions/${encodeURIComponent(session.id)}`);
                    say('Revoked.', 'ok');
                    await loadSessions();
                  } catch (error) {
                    say(error.message, 'error');
                  }
                },
              }),
        ),
      ),
    ),
  );
}

document.getElementById('token-create')?.addEventListener('click', async () => {
  try {
    const { token } = await api('POST', '/api/auth/tokens');
    document.getElementById('token-shown').hidden = false;
    const input = document.getElementById('token-value');
    input.value = token;
    input.select();
    say(
      'Token created. Use it as "Authorization: Bearer <token>" (vaultmark trace --token).',
      'ok',
    );
    await loadSessions();
  } catch (error) {
    say(error.message, 'error');
  }
});

const deleteForm = document.getElementById('delete-account');
deleteForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!confirm('Delete your account? It is removed for good after 30 days.')) return;
  try {
    const { deleteAfter } = await api('POST', '/api/account/delete', {
      password: new FormData(deleteForm).get('password'),
    });
    say(
      `Your account will be deleted on ${formatDate(deleteAfter)}. Sign in again to cancel.`,
      'ok',
    );
    deleteForm.hidden = true;
  } catch (error) {
    say(error.message, 'error');
  }
});

function showMembers(items) {
  document
    .getElementById('members')
    .replaceChildren(
      ...items.map((m) =>
        el(
          'tr',
          {},
          el('td', { text: `${m.displayName} <${m.email}>` }),
          el('td', { text: m.role }),
          el('td', { text: formatDate(m.joinedAt) }),
        ),
      ),
    );
}

const studioForm = document.getElementById('studio-create');
studioForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { id } = await api('POST', '/api/organizations', {
      name: new FormData(studioForm).get('name'),
    });
    chooseOrganization(id);
    location.reload();
  } catch (error) {
    say(error.message, 'error');
  }
});

const memberForm = document.getElementById('member-add');
memberForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(memberForm);
  try {
    const { items } = await api('PUT', '/api/organization/members', {
      email: data.get('email'),
      role: data.get('role'),
    });
    showMembers(items);
    memberForm.reset();
    say('Member saved.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  }
});

loadSessions().catch((error) => say(error.message, 'error'));
api('GET', '/api/organization/members')
  .then(({ items }) => showMembers(items))
  .catch((error) => say(error.message, 'error'));
