import { describe, expect, it } from 'vitest';
import {
  formatProbability,
  type InvestigationReport,
  investigationReportPage,
} from './investigation-report.js';

const base: InvestigationReport = {
  id: 'inv_1',
  createdAt: new Date('2026-03-01T10:00:00Z'),
  completedAt: new Date('2026-03-01T10:00:42Z'),
  fileName: 'leak <final>.mp3',
  fileSha256: 'ab'.repeat(32),
  durationSeconds: 30,
  thresholdProbability: 1e-9,
  identified: true,
  inconclusive: false,
  softwareVersion: '0.1.0',
  formatVersion: 1,
  matches: [
    {
      trackTitle: 'Demo',
      trackId: 'trk_1',
      shareId: 'shr_1',
      recipient: { name: 'Bea', email: 'bea@example.com', company: 'Label & Co' },
      sharedAt: new Date('2026-02-01T09:00:00Z'),
      payloadHex: '00112233445566778899aabbccddeeff',
      keyName: 'vault-2026',
      offsetSeconds: 61.25,
      falsePositiveProbability: 3.2e-21,
      speed: 1.01,
      accessLog: [{ at: new Date('2026-02-02T08:00:00Z'), action: 'downloaded' }],
    },
  ],
};

describe('investigationReportPage', () => {
  it('states the verdict, the evidence and the access history, escaped', () => {
    const text = investigationReportPage(base);
    expect(text).toContain("the audio carries the watermark of Bea's copy");
    expect(text).toContain('leak &lt;final&gt;.mp3');
    expect(text).toContain('Label &amp; Co');
    expect(text).toContain('3.20 × 10^-21');
    expect(text).toContain('playback speed 101.00 %');
    expect(text).toContain('2026-02-02 08:00:00 UTC');
    expect(text).toContain('downloaded');
    expect(text).not.toContain('Found by');
    // The method covers both ways a recipient is named.
    expect(text).toContain('speed, tempo and pitch changes');
    expect(text).toContain('compared with each payload this vault has issued under the key');
  });

  it('says when a copy too damaged to decode was matched against the issued payloads', () => {
    const text = investigationReportPage({
      ...base,
      matches: base.matches.map((m) => ({ ...m, matchedAmong: 1204 })),
    });
    expect(text).toContain('against the 1204 payloads issued under this key');
  });

  it('says "no match" without naming anyone, and "inconclusive" when evidence is weak', () => {
    const none = investigationReportPage({ ...base, identified: false, matches: [] });
    expect(none).toContain('No match in this vault');
    expect(none).not.toContain('Bea');
    const unsure = investigationReportPage({
      ...base,
      identified: false,
      inconclusive: true,
      matches: [],
    });
    expect(unsure).toContain('Inconclusive');
  });

  it('writes an offset a fraction of a millisecond before the start as 0.000 s', () => {
    const text = investigationReportPage({
      ...base,
      matches: base.matches.map((m) => ({ ...m, offsetSeconds: -0.0002 })),
    });
    expect(text).toContain('0.000 s into the file');
    expect(text).not.toContain('-0.000');
  });

  it('formats probabilities without ever printing zero', () => {
    expect(formatProbability(1e-9)).toBe('1.00 × 10^-9');
    expect(formatProbability(0)).toBe('< 1 × 10^-300');
    expect(formatProbability(0, -412.6)).toBe('2.51 × 10^-413');
    expect(formatProbability(0.5)).toBe('5.00 × 10^-1');
  });
});
