// The account page's studio branding: the accent colour and logo shown on recipients' pages.
import { api, currentOrganization, say } from './api.js';

const csrf = document.querySelector('meta[name="vaultmark-csrf"]')?.content;
const colorForm = document.getElementById('brand-color-form');
const resetButton = document.getElementById('brand-color-reset');
const logoForm = document.getElementById('logo-form');
const logoImage = document.getElementById('org-logo');
const removeButton = document.getElementById('logo-remove');

function headers(extra = {}) {
  const all = { ...extra };
  if (csrf) all['X-CSRF-Token'] = csrf;
  const organization = currentOrganization();
  if (organization) all['X-Vaultmark-Organization'] = organization;
  return all;
}

async function showLogo(hasLogo) {
  removeButton.hidden = !hasLogo;
  if (logoImage.src.startsWith('blob:')) URL.revokeObjectURL(logoImage.src);
  if (!hasLogo) {
    logoImage.hidden = true;
    logoImage.removeAttribute('src');
    return;
  }
  const response = await fetch('/api/organization/logo', {
    headers: headers(),
    credentials: 'same-origin',
  });
  if (!response.ok) return;
  logoImage.src = URL.createObjectURL(await response.blob());
  logoImage.alt = 'The studio’s logo';
  logoImage.hidden = false;
}

async function load() {
  const branding = await api('GET', '/api/organization/branding');
  if (branding.brandColor) colorForm.elements.brandColor.value = branding.brandColor;
  await showLogo(branding.hasLogo);
}

async function saveColor(brandColor) {
  try {
    const branding = await api('PUT', '/api/organization/branding', { brandColor });
    colorForm.elements.brandColor.value = branding.brandColor ?? '#4338ca';
    say(brandColor ? 'Colour saved.' : 'The default colour is back.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  }
}

colorForm?.addEventListener('submit', (event) => {
  event.preventDefault();
  void saveColor(colorForm.elements.brandColor.value);
});
resetButton?.addEventListener('click', () => void saveColor(null));

logoForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = logoForm.elements.logo.files[0];
  if (!file) return;
  try {
    const response = await fetch('/api/organization/logo', {
      method: 'PUT',
      headers: headers({ 'Content-Type': file.type || 'application/octet-stream' }),
      body: file,
      credentials: 'same-origin',
    });
    const data = await response.json().catch(() => undefined);
    if (!response.ok) throw new Error(data?.error?.message ?? `HTTP ${response.status}`);
    logoForm.reset();
    say('Logo saved.', 'ok');
    await showLogo(true);
  } catch (error) {
    say(error.message, 'error');
  }
});

removeButton?.addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/organization/logo');
    say('Logo removed.', 'ok');
    await showLogo(false);
  } catch (error) {
    say(error.message, 'error');
  }
});

if (colorForm) load().catch((error) => say(error.message, 'error'));
