// The session's multitrack player: every track's waveform placed at its start (the tracks are
// aligned by when each participant started recording), solo and mute per track, one transport.
// Audio is decoded with Web Audio and played through one gain per track, so solo and mute act
// at once, in sync.
import { currentOrganization, el } from './api.js';
import { draw, formatTime } from './waveform.js';

/** One max |amplitude| per column, over every channel of a decoded buffer. */
function bars(buffer, width = 800) {
  const out = new Float32Array(width);
  const per = Math.max(1, Math.floor(buffer.length / width));
  for (let c = 0; c < buffer.numberOfChannels; c++) {
    const data = buffer.getChannelData(c);
    for (let x = 0; x < width; x++) {
      let peak = out[x];
      const end = Math.min(data.length, (x + 1) * per);
      for (let i = x * per; i < end; i++) peak = Math.max(peak, Math.abs(data[i]));
      out[x] = Math.min(1, peak);
    }
  }
  return out;
}

async function decode(context, trackId) {
  const headers = {};
  const organization = currentOrganization();
  if (organization) headers['X-Vaultmark-Organization'] = organization;
  const response = await fetch(`/api/tracks/${trackId}/audio`, { headers });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return context.decodeAudioData(await response.arrayBuffer());
}

/** The player over `list` (an `<ol>`), the play button and the clock. */
export class Multitrack {
  constructor(list, playButton, clock) {
    this.list = list;
    this.playButton = playButton;
    this.clock = clock;
    this.lanes = [];
    this.context = undefined;
    this.startedAt = undefined;
    this.sources = [];
    playButton.addEventListener('click', () =>
      this.startedAt === undefined ? this.play() : this.stop(),
    );
  }

  /** Shows `tracks` (`{ id, trackId, offsetMs, label }`) and decodes their audio. */
  async show(tracks) {
    this.stop();
    this.context ??= new AudioContext();
    this.list.replaceChildren();
    this.lanes = tracks.map((track) => {
      const mute = el('button', {
        type: 'button',
        class: 'secondary',
        'aria-pressed': 'false',
        text: 'Mute',
      });
      const solo = el('button', {
        type: 'button',
        class: 'secondary',
        'aria-pressed': 'false',
        text: 'Solo',
      });
      const canvas = el('canvas', {
        class: 'waveform lane-wave',
        role: 'img',
        'aria-label': `Waveform of ${track.label}, starting at ${formatTime(track.offsetMs / 1000)}`,
      });
      const lane = {
        track,
        mute,
        solo,
        canvas,
        buffer: undefined,
        bars: undefined,
        gain: undefined,
      };
      mute.setAttribute('aria-label', `Mute ${track.label}`);
      solo.setAttribute('aria-label', `Solo ${track.label}`);
      for (const button of [mute, solo]) {
        button.addEventListener('click', () => {
          button.setAttribute(
            'aria-pressed',
            String(button.getAttribute('aria-pressed') !== 'true'),
          );
          this.applyGains();
        });
      }
      this.list.append(
        el(
          'li',
          { class: 'lane', 'data-lane': track.id },
          el(
            'div',
            { class: 'lane-head' },
            el('span', { class: 'lane-name', text: track.label }),
            mute,
            solo,
          ),
          el('div', { class: 'lane-track' }, canvas),
        ),
      );
      return lane;
    });
    await Promise.all(
      this.lanes.map(async (lane) => {
        lane.buffer = await decode(this.context, lane.track.trackId);
        lane.bars = bars(lane.buffer);
      }),
    );
    this.layout();
    this.playButton.disabled = this.lanes.length === 0;
  }

  /** Session length in seconds: the latest end of any track. */
  get duration() {
    return Math.max(
      0,
      ...this.lanes.map((l) => l.track.offsetMs / 1000 + (l.buffer?.duration ?? 0)),
    );
  }

  layout() {
    const total = this.duration || 1;
    for (const lane of this.lanes) {
      // Placed by its start, sized by its length, as a share of the whole session.
      lane.canvas.style.marginLeft = `${(100 * lane.track.offsetMs) / 1000 / total}%`;
      lane.canvas.style.width = `${(100 * (lane.buffer?.duration ?? 0)) / total}%`;
      lane.canvas.dataset.offsetMs = String(lane.track.offsetMs);
      draw(lane.canvas, lane.bars, 0);
    }
    this.clock.textContent = `0:00 / ${formatTime(this.duration)}`;
  }

  applyGains() {
    const soloed = this.lanes.some((l) => l.solo.getAttribute('aria-pressed') === 'true');
    for (const lane of this.lanes) {
      const muted = lane.mute.getAttribute('aria-pressed') === 'true';
      const audible = !muted && (!soloed || lane.solo.getAttribute('aria-pressed') === 'true');
      lane.audible = audible;
      if (lane.gain) lane.gain.gain.value = audible ? 1 : 0;
    }
  }

  async play() {
    await this.context.resume();
    const start = this.context.currentTime + 0.05;
    this.sources = [];
    for (const lane of this.lanes) {
      if (!lane.buffer) continue;
      lane.gain = this.context.createGain();
      lane.gain.connect(this.context.destination);
      const source = this.context.createBufferSource();
      source.buffer = lane.buffer;
      source.connect(lane.gain);
      source.start(start + lane.track.offsetMs / 1000);
      this.sources.push(source);
    }
    this.applyGains();
    this.startedAt = start;
    this.playButton.textContent = 'Stop';
    this.list.closest('section')?.classList.add('playing');
    const tick = () => {
      if (this.startedAt === undefined) return;
      const t = Math.max(0, this.context.currentTime - this.startedAt);
      if (t >= this.duration) return this.stop();
      this.clock.textContent = `${formatTime(t)} / ${formatTime(this.duration)}`;
      for (const lane of this.lanes) {
        const into = (t - lane.track.offsetMs / 1000) / (lane.buffer?.duration || 1);
        draw(lane.canvas, lane.bars, Math.min(1, Math.max(0, into)));
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  stop() {
    for (const source of this.sources) source.stop();
    this.sources = [];
    this.startedAt = undefined;
    this.playButton.textContent = 'Play all';
    this.list.closest('section')?.classList.remove('playing');
    if (this.lanes.length) this.layout();
  }
}

/** Loads a session's tracks into the player, labelled by participant. */
export async function loadSession(player, session) {
  const names = new Map(session.participants.map((p) => [p.id, `${p.name} (${p.role})`]));
  await player.show(
    session.tracks
      .filter((t) => t.trackId)
      .map((t) => ({ ...t, label: names.get(t.participantId) ?? 'Participant' })),
  );
}
