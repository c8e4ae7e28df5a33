// The signed-in pages' navigation: signing out.
import { api } from './api.js';

document.getElementById('signout')?.addEventListener('click', async () => {
  await api('POST', '/api/auth/logout').catch(() => {});
  location.assign('/signin');
});
