// Recipient player: one waveform per track over the recipient's own watermarked stream (the
// browser fetches it with HTTP Range requests as it seeks). One track plays at a time, and the
// next one starts when a track ends, like a playlist.
import { listening, wirePlayer } from './waveform.js';

const eventsUrl = document.querySelector('meta[name="vaultmark-events"]')?.content;
const nowPlaying = document.getElementById('now-playing');

function report(trackId, type, position, ranges) {
  if (!eventsUrl) return;
  const body = JSON.stringify({
    trackId,
    type,
    position: Math.round(position * 10) / 10,
    ...(ranges ? { ranges } : {}),
  });
  if (!navigator.sendBeacon?.(eventsUrl, new Blob([body], { type: 'application/json' }))) {
    fetch(eventsUrl, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      keepalive: true,
    }).catch(() => {});
  }
}

/** Every player of the page, in order. */
const players = [];

function setUp(root) {
  const trackId = root.dataset.track;
  const title = root.dataset.title ?? '';
  const audio = new Audio();
  // Nothing is fetched before play: the server counts a play when it serves the start of the
  // audio, so a page view must not (the duration comes with the page, the waveform from peaks).
  audio.preload = 'none';
  audio.src = root.dataset.stream;
  root.append(audio);
  const peaks = fetch(root.dataset.peaks, { credentials: 'same-origin' }).then((response) =>
    response.ok ? response.json() : null,
  );
  wirePlayer(root, audio, peaks);
  const heard = listening(audio);
  const player = { root, audio };
  players.push(player);

  // A listening session runs from play to the end of the track (or the page being left); it
  // reports the seconds really heard, once, and nothing when only seeking happened.
  let session = false;
  let reported = 0;
  const stop = () => {
    if (!session) return;
    session = false;
    const seconds = heard.heard();
    if (seconds >= 1) report(trackId, 'stop', seconds, heard.ranges());
  };
  audio.addEventListener('play', () => {
    for (const other of players) if (other !== player) other.audio.pause();
    root.closest('section')?.classList.add('playing');
    if (nowPlaying) nowPlaying.textContent = `Playing ${title}`;
    if (!session) {
      session = true;
      reported = 0;
      heard.reset();
      report(trackId, 'play', audio.currentTime);
    }
  });
  audio.addEventListener('pause', () => {
    root.closest('section')?.classList.remove('playing');
  });
  audio.addEventListener('timeupdate', () => {
    const seconds = heard.heard();
    if (seconds - reported >= 15) {
      reported = seconds;
      report(trackId, 'progress', seconds);
    }
  });
  audio.addEventListener('ended', () => {
    stop();
    const next = players[players.indexOf(player) + 1];
    if (next) {
      next.audio.currentTime = 0;
      next.audio.play().catch(() => {});
    } else if (nowPlaying) nowPlaying.textContent = '';
  });
  window.addEventListener('pagehide', stop);
}

for (const root of document.querySelectorAll('.player[data-stream]')) setUp(root);

// Times in the recipient's own time zone (the page is rendered with UTC).
for (const time of document.querySelectorAll('time.local')) {
  const at = new Date(time.dateTime);
  if (!Number.isNaN(at.getTime()))
    time.textContent = at.toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });
}
