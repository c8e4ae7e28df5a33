// The account page: two-factor enrolment, sessions and API tokens, and account deletion.
import { ApiError, api, chooseOrganization, el, formatDate, say } from './api.js';
import './branding-settings.js';

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
    document.getElementById('totp-state').textContent = 'Two-factor sign-in is on.';
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

/** Shows whether two-factor sign-in is on, and offers set-up or turning it off accordingly. */
async function showSecondFactor() {
  const state = document.getElementById('totp-state');
  try {
    const me = await api('GET', '/api/auth/me');
    state.className = me.twoFactorEnabled ? 'ok' : 'muted';
    state.textContent = me.twoFactorEnabled
      ? `Two-factor sign-in is on. ${me.recoveryCodesLeft} unused recovery code${me.recoveryCodesLeft === 1 ? '' : 's'} left.`
      : 'Two-factor sign-in is off.';
    start.hidden = me.twoFactorEnabled;
    disableForm.hidden = !me.twoFactorEnabled;
  } catch (error) {
    state.textContent = error.message;
  }
}
showSecondFactor();

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

const tokenForm = document.getElementById('token-create');
tokenForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(tokenForm);
  const body = { password: data.get('password') };
  if (data.get('totp')) body.totp = data.get('totp');
  try {
    const { token } = await api('POST', '/api/auth/tokens', body);
    tokenForm.reset();
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
    const answer = await api('PUT', '/api/organization/members', {
      email: data.get('email'),
      role: data.get('role'),
    });
    memberForm.reset();
    if (answer.invited) {
      say(`Invitation sent to ${data.get('email')}. They join once they accept it.`, 'ok');
    } else {
      showMembers(answer.items);
      say('Role changed.', 'ok');
    }
  } catch (error) {
    say(error.message, 'error');
  }
});

const passwordForm = document.getElementById('password-change');
passwordForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(passwordForm);
  try {
    await api('POST', '/api/account/password', {
      currentPassword: data.get('currentPassword'),
      newPassword: data.get('newPassword'),
    });
    // This browser has a new session (and CSRF token): reload to use it.
    location.reload();
  } catch (error) {
    say(error.message, 'error');
  }
});

async function loadInvitations() {
  const { items } = await api('GET', '/api/invitations');
  const list = document.getElementById('invitations');
  if (items.length === 0) {
    list.replaceChildren(el('li', { class: 'muted', text: 'No open invitations.' }));
    return;
  }
  const answer = (invitation, verb) => async () => {
    try {
      await api('POST', `/api/invitations/${encodeURIComponent(invitation.id)}/${verb}`);
      if (verb === 'accept') {
        chooseOrganization(invitation.organizationId);
        location.reload();
        return;
      }
      say('Invitation declined.', 'ok');
      await loadInvitations();
    } catch (error) {
      say(error.message, 'error');
    }
  };
  list.replaceChildren(
    ...items.map((invitation) =>
      el(
        'li',
        { 'data-invitation': invitation.id },
        el('span', {
          text: `${invitation.invitedBy ?? 'Someone'} invited you to ${invitation.organizationName} as ${invitation.role} (until ${formatDate(invitation.expiresAt)}). `,
        }),
        el('button', { type: 'button', text: 'Accept', onclick: answer(invitation, 'accept') }),
        ' ',
        el('button', { type: 'button', text: 'Decline', onclick: answer(invitation, 'decline') }),
      ),
    ),
  );
}

loadSessions().catch((error) => say(error.message, 'error'));
loadInvitations().catch((error) => say(error.message, 'error'));
api('GET', '/api/organization/members')
  .then(({ items }) => showMembers(items))
  .catch((error) => say(error.message, 'error'));

const notifyForm = document.getElementById('notify-settings');

async function loadNotificationSettings() {
  const { items } = await api('GET', '/api/notifications/settings');
  document.getElementById('notify-kinds').replaceChildren(
    ...items.map((s) =>
      el(
        'tr',
        { 'data-kind': s.kind },
        el(
          'th',
          { scope: 'row' },
          el('span', { id: `kind-${s.kind}`, text: s.label }),
          el('br'),
          el('span', { class: 'muted', text: s.description }),
        ),
        ...['email', 'inApp'].map((channel) =>
          el(
            'td',
            {},
            el('input', {
              type: 'checkbox',
              name: channel,
              checked: s[channel],
              'aria-label': `${channel === 'email' ? 'Email' : 'In the app'}: ${s.label}`,
            }),
          ),
        ),
      ),
    ),
  );
}

notifyForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const items = [...notifyForm.querySelectorAll('tr[data-kind]')].map((row) => ({
    kind: row.dataset.kind,
    email: row.querySelector('input[name=email]').checked,
    inApp: row.querySelector('input[name=inApp]').checked,
  }));
  try {
    await api('PUT', '/api/notifications/settings', { items });
    say('Notification settings saved.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  }
});
if (notifyForm) loadNotificationSettings().catch((error) => say(error.message, 'error'));
