// Sign-in and sign-up pages: password (+ TOTP when the account has it) or a code sent by email;
// sign-up confirms the address with an emailed code.
import { ApiError, api, say } from './api.js';

/**
 * Where to go after signing in: `next` only when it is a path on this site once the browser has
 * normalised it (`/\evil.example`, `/\t/evil.example`, `//evil.example` and absolute URLs all
 * resolve elsewhere and are refused), else the library.
 */
export function safeDestination(next) {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/library';
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin) return '/library';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/library';
  }
}

const destination = safeDestination(new URLSearchParams(location.search).get('next'));

function busy(form, on) {
  for (const button of form.querySelectorAll('button')) button.disabled = on;
}

/** Shows a hidden field and moves the focus into it. */
function reveal(id) {
  const field = document.getElementById(id);
  field.hidden = false;
  const input = field.querySelector('input');
  input.required = true;
  input.focus();
}

const needsSecondFactor = (error) =>
  error instanceof ApiError &&
  (error.code === 'two_factor_required' || error.code === 'invalid_totp');

const signin = document.getElementById('signin');
signin?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(signin);
  const body = { email: data.get('email'), password: data.get('password') };
  const totp = data.get('totp');
  if (totp) body.totp = totp;
  busy(signin, true);
  try {
    await api('POST', '/api/auth/login', body);
    location.assign(destination);
  } catch (error) {
    if (needsSecondFactor(error)) reveal('totp-field');
    say(error.message, 'error');
  } finally {
    busy(signin, false);
  }
});

const signup = document.getElementById('signup');
signup?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(signup);
  const codeField = document.getElementById('signup-code-field');
  busy(signup, true);
  try {
    if (codeField.hidden) {
      await api('POST', '/api/auth/register', {
        email: data.get('email'),
        password: data.get('password'),
        displayName: data.get('displayName'),
      });
      reveal('signup-code-field');
      signup.querySelector('button[type=submit]').textContent = 'Confirm';
      say(
        'We sent a 6-digit code to your email to confirm the address. It is valid for 10 minutes.',
        'ok',
      );
    } else {
      await api('POST', '/api/auth/register/verify', { code: data.get('code') });
      location.assign(destination);
    }
  } catch (error) {
    say(error.message, 'error');
  } finally {
    busy(signup, false);
  }
});

const codeForm = document.getElementById('email-code');
codeForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(codeForm);
  const codeField = document.getElementById('code-field');
  busy(codeForm, true);
  try {
    if (codeField.hidden) {
      await api('POST', '/api/auth/email-code', { email: data.get('email') });
      reveal('code-field');
      say('We sent a 6-digit code to your email. It is valid for 10 minutes.', 'ok');
    } else {
      const body = { email: data.get('email'), code: data.get('code') };
      const totp = data.get('totp');
      if (totp) body.totp = totp;
      await api('POST', '/api/auth/email-code/verify', body);
      location.assign(destination);
    }
  } catch (error) {
    if (needsSecondFactor(error)) reveal('code-totp-field');
    say(error.message, 'error');
  } finally {
    busy(codeForm, false);
  }
});
