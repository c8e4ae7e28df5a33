// Sign-in and sign-up pages: password (+ TOTP when the account has it) or a code sent by email.
import { ApiError, api, say } from './api.js';

const next = new URLSearchParams(location.search).get('next');
const destination = next?.startsWith('/') && !next.startsWith('//') ? next : '/library';

function busy(form, on) {
  for (const button of form.querySelectorAll('button')) button.disabled = on;
}

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
    if (
      error instanceof ApiError &&
      (error.code === 'two_factor_required' || error.code === 'invalid_totp')
    ) {
      const field = document.getElementById('totp-field');
      field.hidden = false;
      field.querySelector('input').focus();
    }
    say(error.message, 'error');
  } finally {
    busy(signin, false);
  }
});

const signup = document.getElementById('signup');
signup?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(signup);
  busy(signup, true);
  try {
    await api('POST', '/api/auth/register', {
      email: data.get('email'),
      password: data.get('password'),
      displayName: data.get('displayName'),
    });
    location.assign(destination);
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
      codeField.hidden = false;
      codeField.querySelector('input').focus();
      say('We sent a 6-digit code to your email. It is valid for 10 minutes.', 'ok');
    } else {
      await api('POST', '/api/auth/email-code/verify', {
        email: data.get('email'),
        code: data.get('code'),
      });
      location.assign(destination);
    }
  } catch (error) {
    say(error.message, 'error');
  } finally {
    busy(codeForm, false);
  }
});
