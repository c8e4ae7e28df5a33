// Leak investigation: upload found audio, follow the job's progress, read the result and report.
import { api, el, formatDate, say, upload } from './api.js';

const form = document.getElementById('investigate');
const bar = document.getElementById('investigation-progress');
const outcome = document.getElementById('outcome');

/**
 * The bound written as the report writes it (`1.23 × 10^-15`); strong matches underflow a
 * double, so the exponent then comes from the log10.
 */
export function probability(result) {
  const p = Number(result.falsePositiveProbability);
  if (p >= 1e-300) return p.toExponential(2).replace('e-', ' × 10^-').replace('e+', ' × 10^');
  const log10 = Number(result.log10FalsePositiveProbability);
  if (!Number.isFinite(log10)) return '< 1 × 10^-300';
  const exponent = Math.floor(log10);
  return `${(10 ** (log10 - exponent)).toFixed(2)} × 10^${exponent}`;
}

/** A named recipient as the page writes one: `Name <email>`. */
const who = (recipient) => `${recipient.name} <${recipient.email}>`;

/** The recipients named, each once, strongest match first. */
function namedRecipients(result) {
  const seen = new Map();
  for (const match of result.matches ?? []) {
    const id = who(match.recipient);
    if (!seen.has(id)) seen.set(id, match);
  }
  return [...seen.values()];
}

/** What an investigation found, in a few words. */
function outcomeOf(state) {
  if (state.status === 'failed') return `failed: ${state.error?.message ?? 'unknown error'}`;
  if (state.status !== 'succeeded')
    return `${state.status} (${Math.round((state.progress ?? 0) * 100)} %)`;
  const result = state.result;
  if (result.identified) {
    const named = namedRecipients(result);
    return named.length > 1
      ? `identified: ${named.map((m) => who(m.recipient)).join(', ')}`
      : `identified: ${who(result.recipient)}`;
  }
  return result.inconclusive ? 'inconclusive' : 'no match in your vault';
}

/** How a match was made, when it was not decoded from the mark alone. */
function methodOf(match) {
  return match.method === 'candidate'
    ? ` Too damaged to decode: matched against the ${match.candidates} payloads issued under the key.`
    : '';
}

async function loadPast() {
  const { items } = await api('GET', '/api/investigations?limit=50');
  const rows = items.map((state) =>
    el(
      'tr',
      {},
      el('td', { text: formatDate(state.createdAt) }),
      el('td', { text: state.fileName }),
      el('td', { text: outcomeOf(state) }),
      el(
        'td',
        {},
        state.status === 'succeeded'
          ? el('a', {
              href: `/api/investigations/${encodeURIComponent(state.id)}/report`,
              text: 'Report',
              'aria-label': `Report on ${state.fileName}`,
            })
          : '',
      ),
    ),
  );
  document
    .getElementById('past')
    .replaceChildren(
      ...(rows.length
        ? rows
        : [el('tr', {}, el('td', { colspan: 4, class: 'muted', text: 'No investigations yet.' }))]),
    );
}

async function follow(id) {
  for (;;) {
    const state = await api('GET', `/api/investigations/${encodeURIComponent(id)}`);
    if (state.status === 'succeeded' || state.status === 'failed') return state;
    bar.value = state.progress ?? 0;
    say(`Searching for watermarks: ${Math.round((state.progress ?? 0) * 100)} %`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = form.querySelector('input[type=file]').files[0];
  if (!file) return;
  const data = new FormData();
  data.set('file', file, file.name);
  form.querySelector('button').disabled = true;
  bar.hidden = false;
  bar.value = 0;
  outcome.hidden = true;
  try {
    const { id } = await upload('/api/investigations', data, (fraction) =>
      say(`Uploading: ${Math.round(fraction * 100)} %`),
    );
    const state = await follow(id);
    if (state.status === 'failed')
      throw new Error(state.error?.message ?? 'the investigation failed');
    const result = state.result;
    outcome.hidden = false;
    const headline = outcome.querySelector('h2');
    const detail = outcome.querySelector('p');
    const list = document.getElementById('outcome-matches');
    list.replaceChildren();
    list.hidden = true;
    const named = result.identified ? namedRecipients(result) : [];
    if (named.length > 1) {
      // Several recipients' copies mixed or spliced together: each is named on its own evidence.
      headline.textContent = `Identified: ${named.length} recipients' copies are in this audio`;
      detail.textContent =
        'The audio was mixed or spliced from several copies. Each recipient is named with their own false-positive probability:';
      list.replaceChildren(
        ...named.map((match) =>
          el('li', {
            text: `${who(match.recipient)}: false-positive probability ${probability(match)}.${methodOf(match)}`,
          }),
        ),
      );
      list.hidden = false;
    } else if (result.identified) {
      headline.textContent = `Identified: ${who(result.recipient)}`;
      detail.textContent = `False-positive probability ${probability(result)}.${methodOf(named[0] ?? {})}`;
    } else {
      headline.textContent = result.inconclusive ? 'Inconclusive' : 'No match in your vault';
      detail.textContent = result.inconclusive
        ? 'A watermark may be present, but no recipient can be named with the required confidence.'
        : 'None of your shares’ watermarks was found in this audio.';
    }
    outcome.querySelector('a').href = `/api/investigations/${encodeURIComponent(id)}/report`;
    say('Investigation finished.', 'ok');
    await loadPast();
  } catch (error) {
    say(error.message, 'error');
  } finally {
    bar.hidden = true;
    form.querySelector('button').disabled = false;
  }
});

loadPast().catch((error) => say(error.message, 'error'));
