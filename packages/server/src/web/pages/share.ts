import { html, page } from '../html.js';

/** One track on a recipient's share page. */
export interface ShareTrackView {
  id: string;
  title: string;
  artist?: string;
  durationSeconds?: number;
  /** URL of this recipient's marked lossy preview (MP3; Range supported). */
  streamUrl: string;
  /** URL of the waveform peaks (audiowaveform JSON). */
  peaksUrl: string;
  /** URL of the marked lossless download (WAV), when the share allows downloads. */
  downloadUrl?: string;
}

/** What the recipient's page shows. */
export interface ShareView {
  recipientName: string;
  /** Who shared it, when known; otherwise the share's title or a plain heading is shown. */
  ownerName?: string;
  title?: string;
  note?: string;
  expiresAt?: Date;
  /** Where the player reports listening progress. */
  eventsUrl: string;
  /** Bit rate of the preview the recipient streams (kbps). */
  previewKbps?: number;
  tracks: ShareTrackView[];
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The recipient's page: one player per track with waveform and seek, download when allowed. */
export function sharePage(view: ShareView): string {
  const count = view.tracks.length === 1 ? 'a track' : `${view.tracks.length} tracks`;
  const tracks = view.tracks.map(
    (track) => html`<section class="card" aria-labelledby="t-${track.id}">
      <h2 id="t-${track.id}">${track.title}${track.artist ? html` <span class="muted">— ${track.artist}</span>` : ''}</h2>
      <div class="player" data-track="${track.id}" data-stream="${track.streamUrl}" data-peaks="${track.peaksUrl}">
        <canvas class="waveform" role="slider" tabindex="0" aria-label="Seek in ${track.title}"
          aria-valuemin="0" aria-valuemax="${Math.round(track.durationSeconds ?? 0)}" aria-valuenow="0"></canvas>
        <div class="controls">
          <button type="button" class="play" aria-label="Play ${track.title}">Play</button>
          <span class="time mono" aria-live="off">0:00 / ${duration(track.durationSeconds)}</span>
          ${track.downloadUrl ? html`<a class="button" href="${track.downloadUrl}" download>Download (WAV)</a>` : ''}
        </div>
      </div>
    </section>`,
  );
  return page({
    title: `Shared with ${view.recipientName}`,
    scripts: ['player.js'],
    meta: { 'vaultmark-events': view.eventsUrl },
    body: html`<h1>${
      view.ownerName
        ? `${view.ownerName} shared ${count} with ${view.recipientName}`
        : `${count[0]!.toUpperCase()}${count.slice(1)} shared with ${view.recipientName}`
    }</h1>
      ${view.title ? html`<p class="lead">${view.title}</p>` : ''}
      ${view.note ? html`<p class="card">${view.note}</p>` : ''}
      ${view.expiresAt ? html`<p class="muted">Available until <time datetime="${view.expiresAt.toISOString()}">${view.expiresAt.toUTCString()}</time>.</p>` : ''}
      <p class="muted">${
        view.tracks.some((t) => t.downloadUrl)
          ? `You listen to a preview${view.previewKbps ? ` (MP3, ${view.previewKbps} kbps)` : ''} and may download the lossless WAV.`
          : `You can listen to a preview${view.previewKbps ? ` (MP3, ${view.previewKbps} kbps)` : ''}; this share is stream only.`
      } Every copy is personal to you and carries an inaudible forensic watermark.</p>
      ${tracks}`,
  });
}

/** The password prompt of a protected share. */
export function sharePasswordPage(options: { action: string; error?: string }): string {
  return page({
    title: 'Password required',
    body: html`<h1>This share is protected</h1>
      <form class="stack" method="post" action="${options.action}">
        <label>Password <input type="password" name="password" autocomplete="current-password" required autofocus /></label>
        ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
        <button type="submit">Open</button>
      </form>`,
  });
}

/**
 * The one answer for unknown, expired and revoked links: the same page and status for all three,
 * so a link's state cannot be probed.
 */
export function shareUnavailablePage(): string {
  return page({
    title: 'Link not available',
    body: html`<div class="state" role="status">
      <h1>This link is not available</h1>
      <p>It may have expired or been withdrawn. Ask the person who shared it for a new link.</p>
    </div>`,
  });
}
