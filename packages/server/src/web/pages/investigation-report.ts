import { offsetText } from '@vaultmark/vault-core';
import { html, page } from '../html.js';

/** One recipient whose watermark was found in the investigated audio. */
export interface ReportMatch {
  trackTitle: string;
  trackId: string;
  /** The share the copy left through; null for a guest's or a member's copy. */
  shareId: string | null;
  recipient: { name: string; email: string; company?: string };
  sharedAt: Date;
  payloadHex: string;
  keyName: string;
  offsetSeconds: number;
  falsePositiveProbability: number;
  /** log10 of the bound, exact where the probability itself underflows to 0. */
  log10FalsePositiveProbability?: number;
  speed?: number;
  /**
   * Set when the copy was too damaged to decode and its mark was matched against the payloads
   * issued under the key: how many there were.
   */
  matchedAmong?: number;
  /** What the recipient did, with the title of the track it concerned (empty for the share). */
  accessLog: { at: Date; action: string; track?: string; detail?: string }[];
}

/** Everything the printable evidence report states. */
export interface InvestigationReport {
  id: string;
  createdAt: Date;
  completedAt: Date;
  fileName: string;
  fileSha256: string;
  durationSeconds: number;
  /** The decision threshold: matches above it are not reported. */
  thresholdProbability: number;
  identified: boolean;
  /** More than one recipient's mark in one file, or evidence too weak to name anyone. */
  inconclusive: boolean;
  matches: ReportMatch[];
  softwareVersion: string;
  formatVersion: number;
}

const when = (date: Date) =>
  html`<time datetime="${date.toISOString()}">${date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}</time>`;

/**
 * Formats a probability for people, as the investigation page does: `1.23 × 10^-15`. A bound
 * that underflows a double is written from its log10 when known, else as `< 1 × 10^-300`.
 */
export function formatProbability(p: number, log10?: number): string {
  if (p >= 1e-300) return p.toExponential(2).replace('e-', ' × 10^-').replace('e+', ' × 10^');
  if (log10 === undefined || !Number.isFinite(log10)) return '< 1 × 10^-300';
  const exponent = Math.floor(log10);
  return `${(10 ** (log10 - exponent)).toFixed(2)} × 10^${exponent}`;
}

/** The printable HTML evidence report of one investigation. */
export function investigationReportPage(report: InvestigationReport): string {
  const verdict = report.identified
    ? report.matches.length === 1
      ? html`<p class="ok"><strong>Identified:</strong> the audio carries the watermark of ${report.matches[0]!.recipient.name}'s copy.</p>`
      : html`<p class="ok"><strong>Identified:</strong> the audio carries the watermarks of ${report.matches.length} recipients' copies (mixed or spliced material).</p>`
    : report.inconclusive
      ? html`<p class="error"><strong>Inconclusive:</strong> no recipient can be named with the required confidence.</p>`
      : html`<p><strong>No match in this vault:</strong> no watermark of this vault's shares was found.</p>`;
  const matches = report.matches.map(
    (match, index) => html`<section class="card">
      <h2>Match ${index + 1}: ${match.recipient.name}</h2>
      <table>
        <tr><th scope="row">Recipient</th><td>${match.recipient.name} &lt;${match.recipient.email}&gt;${match.recipient.company ? `, ${match.recipient.company}` : ''}</td></tr>
        <tr><th scope="row">Track</th><td>${match.trackTitle} <span class="muted mono">${match.trackId}</span></td></tr>
        <tr><th scope="row">Share</th><td class="mono">${match.shareId ?? 'none (a guest’s or a studio member’s copy)'}</td></tr>
        <tr><th scope="row">Shared at</th><td>${when(match.sharedAt)}</td></tr>
        <tr><th scope="row">Payload</th><td class="mono">${match.payloadHex}</td></tr>
        <tr><th scope="row">Watermark key</th><td>${match.keyName}</td></tr>
        <tr><th scope="row">Found at</th><td>${offsetText(match.offsetSeconds)} s into the file${match.speed !== undefined && Math.abs(match.speed - 1) > 1e-4 ? `, playback speed ${(match.speed * 100).toFixed(2)} %` : ''}</td></tr>
        ${match.matchedAmong !== undefined ? html`<tr><th scope="row">Found by</th><td>matching the copy, too damaged to decode, against the ${match.matchedAmong} payloads issued under this key</td></tr>` : ''}
        <tr><th scope="row">False-positive probability</th><td><strong>${formatProbability(match.falsePositiveProbability, match.log10FalsePositiveProbability)}</strong></td></tr>
      </table>
      <h3>Access history of this recipient</h3>
      ${
        match.accessLog.length === 0
          ? html`<p class="muted">No recorded access.</p>`
          : html`<table><thead><tr><th scope="col">Time</th><th scope="col">Action</th><th scope="col">Track</th><th scope="col">Detail</th></tr></thead><tbody>
          ${match.accessLog.map((entry) => html`<tr><td>${when(entry.at)}</td><td>${entry.action}</td><td>${entry.track ?? ''}</td><td>${entry.detail ?? ''}</td></tr>`)}
          </tbody></table>`
      }
    </section>`,
  );
  return page({
    title: `Investigation ${report.id}`,
    scripts: ['report.js'],
    body: html`<p class="no-print"><button type="button" id="print">Print or save as PDF</button></p>
      <h1>Leak investigation report</h1>
      ${verdict}
      <section class="card">
        <h2>Examined audio</h2>
        <table>
          <tr><th scope="row">Investigation</th><td class="mono">${report.id}</td></tr>
          <tr><th scope="row">File</th><td>${report.fileName}</td></tr>
          <tr><th scope="row">SHA-256</th><td class="mono">${report.fileSha256}</td></tr>
          <tr><th scope="row">Duration</th><td>${report.durationSeconds.toFixed(1)} s</td></tr>
          <tr><th scope="row">Submitted</th><td>${when(report.createdAt)}</td></tr>
          <tr><th scope="row">Completed</th><td>${when(report.completedAt)}</td></tr>
        </table>
      </section>
      ${matches}
      <section class="card">
        <h2>Method</h2>
        <p>The vault searched the audio for its keyed watermarks (format version ${report.formatVersion}), with every watermark key of this vault, at every offset and over a range of speed, tempo and pitch changes. A recipient is named only when the probability that unmarked audio would produce a decode as strong as the one found — corrected for every offset, scaling and key tried — is at most ${formatProbability(report.thresholdProbability)}. Payloads are looked up only among this vault's own shares.</p>
        <p>Where a copy was too damaged to decode, its mark was instead compared with each payload this vault has issued under the key, at the alignments where the watermark's synchronisation pattern was strongest. The probability stated for such a match is corrected for every payload and alignment compared, and each recipient named this way was scored again with the other named recipients' marks removed, so that a resemblance between two recipients' marks cannot name an innocent one.</p>
        <p class="muted">Vaultmark ${report.softwareVersion}. Report generated ${when(report.completedAt)}.</p>
      </section>`,
  });
}
