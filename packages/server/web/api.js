// Shared helpers of the owner pages: JSON API calls with the session's CSRF token, and small
// formatting functions. Loaded as an ES module by every page script.

const csrf = document.querySelector('meta[name="vaultmark-csrf"]')?.content;

/** The organization (studio) the pages act in, chosen in the navigation; personal when unset. */
export function currentOrganization() {
  return localStorage.getItem('vaultmark-organization') || undefined;
}

/** Chooses the organization the pages act in (`undefined` for the personal one). */
export function chooseOrganization(id) {
  if (id) localStorage.setItem('vaultmark-organization', id);
  else localStorage.removeItem('vaultmark-organization');
}

/** An API error with the server's stable code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the JSON API; throws ApiError with the server's `{ error: { code, message } }`. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const organization = currentOrganization();
  if (organization) headers['X-Vaultmark-Organization'] = organization;
  const init = { method, headers, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.error?.code ?? 'http_error',
      data?.error?.message ?? `HTTP ${response.status}`,
    );
  }
  return data;
}

/** Uploads a form with progress callbacks (fetch has no upload progress; XHR does). */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    const organization = currentOrganization();
    if (organization) xhr.setRequestHeader('X-Vaultmark-Organization', organization);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const data = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else
        reject(
          new ApiError(
            xhr.status,
            data?.error?.code ?? 'http_error',
            data?.error?.message ?? `HTTP ${xhr.status}`,
          ),
        );
    });
    xhr.addEventListener('error', () =>
      reject(new ApiError(0, 'network_error', 'the connection failed')),
    );
    xhr.send(form);
  });
}

/** Creates an element with properties and children (text is always set as text, never as HTML). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatDate(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Shows a message in the page's status region (announced to screen readers). */
export function say(text, kind = '') {
  const region = document.getElementById('status');
  if (!region) return;
  region.className = kind;
  region.textContent = text;
}
