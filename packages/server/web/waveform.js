// A waveform you can click or drive with the keyboard, over an <audio> element: shared by the
// recipient's player and the owner's track page.

export function formatTime(seconds) {
  if (!Number.isFinite(seconds)) return '0:00';
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Reduces audiowaveform JSON (min/max pairs per point and channel) to one max |amplitude| per column. */
export function columns(peaks, width) {
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

/** Draws bars (from {@link columns}) with the part before `progress` (0..1) in the played colour. */
export function draw(canvas, bars, progress = 0) {
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

/**
 * Wires a player: `root` holds a `canvas` (role slider), a `button.play` and a `.time`; `audio`
 * plays; `peaks` is a promise of audiowaveform JSON (or null). `onToggle` is called by the play
 * button and Space/Enter on the waveform (default: play or pause). Returns `render`.
 */
export function wirePlayer(root, audio, peaks, onToggle) {
  const canvas = root.querySelector('canvas');
  const button = root.querySelector('button.play');
  const time = root.querySelector('.time');
  const name = button.dataset.name ?? '';
  let bars = null;
  const toggle =
    onToggle ??
    (() => {
      if (audio.paused) audio.play().catch(() => {});
      else audio.pause();
    });

  // The audio's own duration once known, else the one the page was given (nothing is fetched
  // before play).
  const duration = () => audio.duration || Number(canvas.getAttribute('aria-valuemax')) || 0;
  const render = () => {
    const total = duration();
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
    const total = duration();
    if (total > 0) audio.currentTime = Math.min(Math.max(0, seconds), total);
    render();
  };

  Promise.resolve(peaks)
    .then((data) => {
      if (data) bars = columns(data, 2048);
      render();
    })
    .catch(render);

  button.addEventListener('click', toggle);
  audio.addEventListener('play', () => {
    button.textContent = 'Pause';
    button.setAttribute('aria-label', `Pause ${name}`.trim());
  });
  audio.addEventListener('pause', () => {
    button.textContent = 'Play';
    button.setAttribute('aria-label', `Play ${name}`.trim());
  });
  audio.addEventListener('timeupdate', render);
  audio.addEventListener('loadedmetadata', () => {
    canvas.setAttribute('aria-valuemax', String(Math.round(audio.duration)));
    render();
  });
  canvas.addEventListener('click', (event) => {
    const rect = canvas.getBoundingClientRect();
    seek(((event.clientX - rect.left) / rect.width) * duration());
  });
  canvas.addEventListener('keydown', (event) => {
    const step = event.shiftKey ? 30 : 5;
    if (event.key === 'ArrowRight' || event.key === 'ArrowUp') seek(audio.currentTime + step);
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowDown') seek(audio.currentTime - step);
    else if (event.key === 'Home') seek(0);
    else if (event.key === 'End') seek(duration());
    else if (event.key === ' ' || event.key === 'Enter') toggle();
    else return;
    event.preventDefault();
  });
  window.addEventListener('resize', render);
  return render;
}

/**
 * What was really heard: the union of the ranges played through, so seeking (a click, the End
 * key) adds nothing. `reset()` begins a new listening session; `heard()` is its seconds.
 */
export function listening(audio) {
  let ranges = [];
  let last = null;
  const follow = () => {
    last = audio.paused ? null : audio.currentTime;
  };
  audio.addEventListener('playing', follow);
  audio.addEventListener('seeked', follow);
  audio.addEventListener('seeking', () => {
    last = null;
  });
  audio.addEventListener('pause', () => {
    last = null;
  });
  audio.addEventListener('timeupdate', () => {
    if (last === null || audio.seeking) return;
    const now = audio.currentTime;
    // Updates come every quarter second or so while playing; a longer step is a jump.
    if (now > last && now - last <= 2) ranges.push([last, now]);
    last = now;
  });
  return {
    reset() {
      ranges = [];
    },
    /** The stretches played, merged, `[from, to]` seconds rounded to tenths. */
    ranges() {
      const merged = [];
      for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
        const last = merged.at(-1);
        if (last && a <= last[1] + 0.01) last[1] = Math.max(last[1], b);
        else merged.push([a, b]);
      }
      return merged
        .map(([a, b]) => [Math.floor(a * 10) / 10, Math.ceil(b * 10) / 10])
        .slice(0, 500);
    },
    heard() {
      const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
      let total = 0;
      let end = Number.NEGATIVE_INFINITY;
      for (const [a, b] of sorted) {
        if (b <= end) continue;
        total += b - Math.max(a, end);
        end = b;
      }
      return total;
    },
  };
}
