// Leak investigation: upload found audio, follow the job's progress, read the result and report.
import { api, say, upload } from './api.js';

const form = document.getElementById('investigate');
const bar = document.getElementById('investigation-progress');
const outcome = document.getElementById('outcome');

/** The bound in scientific notation; strong matches underflow a double, so use the log10. */
function probability(result) {
  const p = Number(result.falsePositiveProbability);
  if (p > 0) return p.toExponential(2);
  const log10 = Number(result.log10FalsePositiveProbability);
  if (!Number.isFinite(log10)) return 'below 1e-308';
  const exponent = Math.floor(log10);
  return `${(10 ** (log10 - exponent)).toFixed(2)}e${exponent}`;
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
    if (result.identified) {
      headline.textContent = `Identified: ${result.recipient.name} <${result.recipient.email}>`;
      detail.textContent = `False-positive probability ${probability(result)}.`;
    } else {
      headline.textContent = result.inconclusive ? 'Inconclusive' : 'No match in your vault';
      detail.textContent = result.inconclusive
        ? 'A watermark may be present, but no recipient can be named with the required confidence.'
        : 'None of your shares’ watermarks was found in this audio.';
    }
    outcome.querySelector('a').href = `/api/investigations/${encodeURIComponent(id)}/report`;
    say('Investigation finished.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  } finally {
    bar.hidden = true;
    form.querySelector('button').disabled = false;
  }
});
