// Recipient player: a waveform you can click or drive with the keyboard, over the recipient's own
// watermarked stream (the browser fetches it with HTTP Range requests as it seeks).

const eventsUrl = document.querySelector('meta[name="vaultmark-events"]')?.content;

function formatTime(seconds) {
  if (!Number.isFinite(seconds)) return '0:00';
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Reduces audiowaveform JSON (min/max pairs per point and channel) to one max |amplitude| per column. */
function columns(peaks, width) {
  const channels = peaks.channels || 1;
  const scale = peaks.bits === 8 ? 128 : 32768;
  const points = Math.floor(peaks.data.length / (2 * channels));
  const out = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x * points) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * points) / width));
    let peak = 0;
    for (let p = from; p < to && p < points; p++) {
      for (let c = 0; c < channels; c++) {
        const i = 2 * (p * channels + c);
        peak = Math.max(peak, Math.abs(peaks.data[i]) / scale, Math.abs(peaks.data[i + 1]) / scale);
      }
    }
    out[x] = Math.min(1, peak);
  }
  return out;
}

function draw(canvas, bars, progress) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.floor(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  const style = getComputedStyle(document.documentElement);
  ctx.clearRect(0, 0, width, height);
  if (!bars) return;
  const played = Math.floor(progress * width);
  for (let x = 0; x < width; x++) {
    const v = bars[Math.floor((x * bars.length) / width)] || 0;
    const h = Math.max(1, v * height);
    ctx.fillStyle =
      x < played ? style.getPropertyValue('--wave-played') : style.getPropertyValue('--wave');
    ctx.fillRect(x, (height - h) / 2, 1, h);
  }
}

function report(trackId, type, position) {
  if (!eventsUrl) return;
  const body = JSON.stringify({ trackId, type, position: Math.round(position * 10) / 10 });
  if (!navigator.sendBeacon?.(eventsUrl, new Blob([body], { type: 'application/json' }))) {
    fetch(eventsUrl, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      keepalive: true,
    }).catch(() => {});
  }
}

function setUp(root) {
  const canvas = root.querySelector('canvas');
  const button = root.querySelector('button.play');
  const time = root.querySelector('.time');
  const trackId = root.dataset.track;
  const audio = new Audio();
  audio.preload = 'metadata';
  audio.src = root.dataset.stream;
  root.append(audio);
  let bars = null;
  let furthest = 0;
  let lastReport = 0;

  const render = () => {
    const total = audio.duration || Number(canvas.getAttribute('aria-valuemax')) || 0;
    const progress = total > 0 ? audio.currentTime / total : 0;
    draw(canvas, bars, progress);
    time.textContent = `${formatTime(audio.currentTime)} / ${formatTime(total)}`;
    canvas.setAttribute('aria-valuenow', String(Math.round(audio.currentTime)));
    canvas.setAttribute(
      'aria-valuetext',
      `${formatTime(audio.currentTime)} of ${formatTime(total)}`,
    );
  };
  const seek = (seconds) => {
    const total = audio.duration || 0;
    if (total > 0) audio.currentTime = Math.min(Math.max(0, seconds), total);
    render();
  };

  fetch(root.dataset.peaks, { credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : null))
    .then((peaks) => {
      if (peaks) bars = columns(peaks, 2048);
      render();
    })
    .catch(render);

  button.addEventListener('click', () => {
    if (audio.paused) audio.play().catch(() => {});
    else audio.pause();
  });
  // One listening session counts one play: it ends when the track ends or the page is left.
  let listening = false;
  const stop = (position) => {
    if (!listening) return;
    listening = false;
    report(trackId, 'stop', position);
  };
  audio.addEventListener('play', () => {
    button.textContent = 'Pause';
    listening = true;
    report(trackId, 'play', audio.currentTime);
  });
  audio.addEventListener('pause', () => {
    button.textContent = 'Play';
  });
  audio.addEventListener('timeupdate', () => {
    render();
    furthest = Math.max(furthest, audio.currentTime);
    if (audio.currentTime - lastReport >= 15) {
      lastReport = audio.currentTime;
      report(trackId, 'progress', furthest);
    }
  });
  audio.addEventListener('loadedmetadata', () => {
    canvas.setAttribute('aria-valuemax', String(Math.round(audio.duration)));
    render();
  });
  audio.addEventListener('ended', () => stop(audio.duration));
  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    seek(((event.clientX - rect.left) / rect.width) * (audio.duration || 0));
  });
  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 30 : 5;
    if (event.key === 'ArrowRight') seek(audio.currentTime + step);
    else if (event.key === 'ArrowLeft') seek(audio.currentTime - step);
    else if (event.key === 'Home') seek(0);
    else if (event.key === 'End') seek(audio.duration || 0);
    else if (event.key === ' ' || event.key === 'Enter') button.click();
    else return;
    event.preventDefault();
  });
  window.addEventListener('resize', render);
  window.addEventListener('pagehide', () => stop(furthest));
}

for (const root of document.querySelectorAll('.player[data-stream]')) setUp(root);
