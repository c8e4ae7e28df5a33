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
  /** URL of the track's artwork, when it has some. */
  artworkUrl?: string;
}

/** What the recipient's page shows. */
export interface ShareView {
  recipientName: string;
  /** Who shared it, when known; otherwise the share's title or a plain heading is shown. */
  ownerName?: string;
  /** URL of the sharing organization's logo, shown beside its name. */
  logoUrl?: string;
  /** URL of the stylesheet of the organization's accent colour. */
  brandStylesheetUrl?: string;
  title?: string;
  note?: string;
  expiresAt?: Date;
  /** Where the player reports listening progress. */
  eventsUrl: string;
  /** Downloads this recipient has left on the link (`null`: no limit). */
  downloadsLeft?: number | null;
  /** Bit rate of the preview the recipient streams (kbps). */
  previewKbps?: number;
  /** Whether the share takes the recipient's comments and approvals. */
  feedback?: boolean;
  tracks: ShareTrackView[];
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The recipient's page: a playlist of players (waveform and seek; one track plays at a time and
 * the next starts when one ends), and a download link per track when allowed.
 */
export function sharePage(view: ShareView): string {
  const count = view.tracks.length === 1 ? 'a track' : `${view.tracks.length} tracks`;
  const tracks = view.tracks.map(
    (track, index) => html`<section class="card track" aria-labelledby="t-${track.id}">
      ${track.artworkUrl ? html`<img class="artwork" src="${track.artworkUrl}" alt="Artwork of ${track.title}" width="96" height="96" loading="lazy" decoding="async" />` : ''}
      <h2 id="t-${track.id}"><span class="muted">${index + 1}.</span> ${track.title}${track.artist ? html` <span class="muted">— ${track.artist}</span>` : ''}</h2>
      <div class="player" data-track="${track.id}" data-title="${track.title}" data-stream="${track.streamUrl}" data-peaks="${track.peaksUrl}">
        <canvas class="waveform" role="slider" tabindex="0" aria-label="Seek in ${track.title}"
          aria-valuemin="0" aria-valuemax="${Math.round(track.durationSeconds ?? 0)}" aria-valuenow="0"></canvas>
        <div class="controls">
          <button type="button" class="play" data-name="${track.title}" aria-label="Play ${track.title}">Play</button>
          <span class="time mono" aria-live="off">0:00 / ${duration(track.durationSeconds)}</span>
          ${track.downloadUrl ? html`<a class="button secondary" href="${track.downloadUrl}" aria-label="Download WAV: ${track.title}">Download WAV</a>` : ''}
        </div>
      </div>
    </section>`,
  );
  const downloads = view.tracks.some((t) => t.downloadUrl);
  const preview = view.previewKbps ? ` (MP3, ${view.previewKbps} kbps)` : '';
  return page({
    title: `Shared with ${view.recipientName}`,
    scripts: view.feedback ? ['player.js', 'share-review.js'] : ['player.js'],
    meta: { 'vaultmark-events': view.eventsUrl },
    ...(view.brandStylesheetUrl ? { styles: [view.brandStylesheetUrl] } : {}),
    body: html`<header class="share-head">
      <div class="share-org">
      ${view.logoUrl ? html`<img class="org-logo" src="${view.logoUrl}" alt="${view.ownerName ? `Logo of ${view.ownerName}` : 'Logo of the sender'}" height="48" decoding="async" />` : ''}
      <h1>${
        view.ownerName
          ? `${view.ownerName} shared ${count} with ${view.recipientName}`
          : `${count[0]!.toUpperCase()}${count.slice(1)} shared with ${view.recipientName}`
      }</h1>
      </div>
      ${view.title ? html`<p class="lead">${view.title}</p>` : ''}
      ${view.note ? html`<p class="card note">${view.note}</p>` : ''}
      <p class="muted">${
        downloads
          ? `You listen to a preview${preview} and may download the lossless WAV.`
          : `You can listen to a preview${preview}; this share is stream only.`
      }${
        downloads && typeof view.downloadsLeft === 'number'
          ? ` ${plural(view.downloadsLeft, 'download', 'downloads')} left on this link.`
          : ''
      } Every copy is personal to you and carries an inaudible forensic watermark.</p>
      ${view.expiresAt ? html`<p class="muted">Available until <time class="local" datetime="${view.expiresAt.toISOString()}">${view.expiresAt.toUTCString()}</time>.</p>` : ''}
      </header>
      <p id="now-playing" class="visually-hidden" aria-live="polite"></p>
      ${tracks}`,
  });
}

/**
 * A recipient's page for a link that cannot be used right now, in the look of the share page:
 * a heading, what happened and what to do.
 */
export function recipientStatePage(options: {
  title: string;
  heading: string;
  message: string;
  /** A way back (the share page), when there is one. */
  back?: string;
}): string {
  return page({
    title: options.title,
    body: html`<div class="state card" role="status">
      <h1>${options.heading}</h1>
      <p>${options.message}</p>
      ${options.back ? html`<p><a class="button" href="${options.back}">Back to the share</a></p>` : ''}
    </div>`,
  });
}

/** The password prompt of a protected share. */
export function sharePasswordPage(options: { action: string; error?: string }): string {
  return page({
    title: 'Password required',
    body: html`<div class="state card">
      <h1>This share is protected</h1>
      <p>Enter the password you were given with the link.</p>
      <form class="stack" method="post" action="${options.action}">
        <label>Password <input type="password" name="password" autocomplete="current-password" required autofocus /></label>
        ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
        <button type="submit">Open</button>
      </form>
    </div>`,
  });
}

/**
 * The one answer for unknown, expired and revoked links: the same page and status for all three,
 * so a link's state cannot be probed.
 */
export function shareUnavailablePage(): string {
  return recipientStatePage({
    title: 'Link not available',
    heading: 'This link is not available',
    message:
      'It may have expired or been withdrawn. Ask the person who shared it with you for a new link.',
  });
}
