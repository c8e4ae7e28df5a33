import type { Color, PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import { offsetText } from '../investigations/offset-text.js';
import type { EvidenceBundle, EvidenceMatch } from './evidence-format.js';

// A4 in PostScript points, with 2-cm margins; body text at 9.5 pt.
const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const SIZE = 9.5;
const LEADING = 13;
const LABEL_WIDTH = 135;

/**
 * The standard PDF fonts encode WinAnsi only: anything else (a name in another script, an arrow)
 * is written as `?` rather than failing the whole document. The signed JSON keeps the exact text.
 */
function printable(text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

/** Lays text out top to bottom, starting a new page when one is full. */
class Writer {
  #page: PDFPage;
  #y = 0;
  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
    readonly grey: Color,
  ) {
    this.#page = this.#newPage();
  }

  #newPage(): PDFPage {
    this.#page = this.doc.addPage(PAGE);
    this.#y = PAGE[1] - MARGIN;
    return this.#page;
  }

  #room(lines: number): void {
    if (this.#y - lines * LEADING < MARGIN) this.#newPage();
  }

  /** Splits text into lines no wider than `width` (long unbroken runs, e.g. hashes, are cut). */
  #wrap(text: string, font: PDFFont, width: number): string[] {
    const out: string[] = [];
    let line = '';
    const fits = (s: string) => font.widthOfTextAtSize(s, SIZE) <= width;
    for (const word of printable(text).split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) out.push(line);
      line = word;
      while (!fits(line)) {
        let cut = line.length - 1;
        while (cut > 1 && !fits(line.slice(0, cut))) cut--;
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    out.push(line);
    return out;
  }

  /** A line of bold text `size` points high, then `after` points of space. */
  #bold(text: string, size: number, after: number): void {
    this.#page.drawText(printable(text), { x: MARGIN, y: this.#y - size, size, font: this.bold });
    this.#y -= size + after;
  }

  title(text: string): void {
    this.#room(3);
    this.#bold(text, 16, 14);
  }

  heading(text: string): void {
    this.#room(4);
    this.#y -= 8;
    this.#bold(text, 11.5, 2.5);
    this.#page.drawLine({
      start: { x: MARGIN, y: this.#y },
      end: { x: PAGE[0] - MARGIN, y: this.#y },
      thickness: 0.5,
      color: this.grey,
    });
    this.#y -= 6;
  }

  /** A label and its value (wrapped in the value column). */
  field(label: string, value: string | number | null): void {
    const lines = this.#wrap(
      value == null ? '-' : String(value),
      this.font,
      PAGE[0] - 2 * MARGIN - LABEL_WIDTH,
    );
    this.#room(Math.min(lines.length, 3));
    this.#page.drawText(printable(label), {
      x: MARGIN,
      y: this.#y - SIZE,
      size: SIZE,
      font: this.bold,
    });
    for (const line of lines) {
      this.#room(1);
      this.#page.drawText(line, {
        x: MARGIN + LABEL_WIDTH,
        y: this.#y - SIZE,
        size: SIZE,
        font: this.font,
      });
      this.#y -= LEADING;
    }
  }

  paragraph(text: string): void {
    for (const line of this.#wrap(text, this.font, PAGE[0] - 2 * MARGIN)) {
      this.#room(1);
      this.#page.drawText(line, { x: MARGIN, y: this.#y - SIZE, size: SIZE, font: this.font });
      this.#y -= LEADING;
    }
    this.#y -= 4;
  }
}

const probability = (p: number, log10: number) =>
  p > 0 ? p.toExponential(2) : `10^${log10.toFixed(1)}`;

function writeMatch(w: Writer, m: EvidenceMatch, n: number, of: number): void {
  const s = m.subject;
  const d = m.detection;
  w.heading(of > 1 ? `Person named (${n} of ${of})` : 'Person named');
  w.field('Received by', `${s.kind}: ${s.name}${s.email ? ` <${s.email}>` : ''}`);
  w.field('Company', s.company);
  w.field(`${s.kind[0]?.toUpperCase()}${s.kind.slice(1)} id`, s.id);
  w.field('Track', `${s.trackTitle ?? '(deleted track)'} (${s.trackId})`);
  w.field('Share', s.shareId);
  w.field('Shared at (UTC)', s.sharedAt);
  w.field('Mark recorded at (UTC)', s.markedAt);
  w.heading('Detection');
  w.field('Payload', `${d.payload} (${d.payloadBits} bits)`);
  w.field('Watermark key id', d.keyId);
  w.field('Format version', d.formatVersion);
  w.field('Offset in found file', `${offsetText(d.offsetSeconds)} s`);
  w.field('Speed / frequency scale', `${d.speed.toFixed(5)} / ${d.frequencyScale ?? '-'}`);
  w.field('Alteration found', d.scaling);
  w.field(
    'Found by',
    d.method === 'candidate'
      ? `matching against the ${d.candidates ?? '?'} payloads issued under the key (too damaged to decode)`
      : d.method === 'decoded'
        ? 'decoding the mark'
        : null,
  );
  w.field('Statistics z / t', `${d.zSync ?? '-'} / ${d.tTotal ?? '-'}`);
  w.field('Bit errors', d.bitErrors == null ? null : `${d.bitErrors} of ${d.observedBits}`);
  w.field(
    'False-positive probability',
    `at most ${probability(m.falsePositive.probability, m.falsePositive.log10Probability)}`,
  );
  const dv = m.falsePositive.derivation;
  w.field('Derivation', `${dv.document}, ${dv.section} (format v${dv.formatVersion})`);
  w.heading('Copies served (SHA-256 of the bytes served)');
  if (m.served.length === 0) w.paragraph('No stored rendition for this mark.');
  for (const c of m.served) {
    w.field(`${c.format} ${c.kbps} kbps`, `${c.sha256} (${c.sizeBytes} bytes, ${c.createdAt})`);
  }
  w.heading('Access events (UTC)');
  if (m.accessEvents.length === 0) w.paragraph('None recorded.');
  for (const e of m.accessEvents) {
    const at = e.positionSeconds == null ? '' : ` at ${e.positionSeconds.toFixed(1)} s`;
    const what = e.trackId ? ` (track ${e.trackId})` : e.objectId ? ` (object ${e.objectId})` : '';
    w.field(e.at, `${e.kind}${at}${what}`);
  }
}

/**
 * A printable PDF of an evidence bundle (A4, standard fonts, no browser): the same data as the
 * JSON, the signature that covers it, the audit anchor, lines for a person to sign, and the
 * JSON bundle itself attached, so the paper and the file travel together.
 */
export async function evidencePdf(bundle: EvidenceBundle): Promise<Uint8Array> {
  const e = bundle.evidence;
  // Loaded on first use: most processes that load vault-core never print a PDF.
  const { PDFDocument, rgb, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  const at = new Date(e.generatedAt);
  doc.setTitle(`Leak investigation evidence ${e.investigation.id}`);
  doc.setProducer(`${e.software.name} ${e.software.version}`);
  doc.setCreator(`${e.software.name} ${e.software.version}`);
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  const w = new Writer(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
    rgb(0.6, 0.6, 0.6),
  );
  w.title('Leak investigation: evidence');
  w.field('Investigation', e.investigation.id);
  w.field('Organization', e.organizationId);
  w.field(
    'Started / completed (UTC)',
    `${e.investigation.createdAt} / ${e.investigation.completedAt ?? '-'}`,
  );
  w.field('Bundle made (UTC)', e.generatedAt);
  w.field('Software', `${e.software.name} ${e.software.version}`);
  w.heading('Found file');
  w.field('File name', e.investigation.fileName);
  w.field('SHA-256', e.foundFile.sha256);
  w.field(
    'Size / duration',
    `${e.foundFile.sizeBytes} bytes / ${e.foundFile.durationSeconds.toFixed(2)} s`,
  );
  w.heading('Outcome');
  const outcome = e.search.identified
    ? `identified: ${e.matches.length} person(s) named`
    : e.search.inconclusive
      ? 'inconclusive: a watermark of this organization is likely present but unreadable'
      : `nobody named (${e.search.reason ?? 'no match'})`;
  w.field('Result', outcome);
  w.field(
    'Reporting threshold',
    `false-positive probability at most ${e.search.thresholdProbability}`,
  );
  w.field('Watermark keys searched', e.search.keysSearched);
  for (const [i, m] of e.matches.entries()) writeMatch(w, m, i + 1, e.matches.length);
  w.heading('Audit-log anchor');
  const a = e.audit.event;
  w.field('Event', `${a.action}, sequence ${a.seq} of chain ${a.chainId}`);
  w.field('Event hash', a.hash);
  w.field('Previous hash', a.prevHash);
  w.field('Content SHA-256', String(a.detail.contentSha256));
  const cp = e.audit.checkpoint;
  w.field('Checkpoint', cp ? `sequence ${cp.seq}, hash ${cp.hash}, key ${cp.keyId}` : null);
  w.heading('Signature');
  w.field('Algorithm / key id', `${bundle.signature.algorithm} / ${bundle.signature.keyId}`);
  w.field('Public key fingerprint', `SHA-256 ${bundle.signature.fingerprint}`);
  w.field('Signature (base64)', bundle.signature.value);
  w.paragraph(
    `The signed JSON bundle is attached to this PDF as evidence-${e.investigation.id}.json. ` +
      "Check it with `vaultmark evidence verify` and the organization's published public " +
      'key; the format is specified in docs/evidence.md. This page is a rendering of that file.',
  );
  w.heading('Examined by');
  w.paragraph('Name: ________________________________   Date: ____________________');
  w.paragraph('Signature: ___________________________________________________________');
  await doc.attach(
    Buffer.from(JSON.stringify(bundle, null, 2), 'utf8'),
    `evidence-${e.investigation.id}.json`,
    {
      mimeType: 'application/json',
      description: 'signed evidence bundle (vaultmark-evidence/v1)',
      creationDate: at,
      modificationDate: at,
    },
  );
  return doc.save();
}

/**
 * The bundle attached to an evidence PDF (the JSON it was rendered from), parsed; `null` when the
 * PDF carries no `evidence-….json` attachment or it is not JSON. What is returned is untrusted:
 * verify it with {@link verifyEvidence} like any bundle.
 */
export async function evidenceFromPdf(pdf: Uint8Array): Promise<unknown> {
  const {
    PDFArray,
    PDFDict,
    PDFDocument,
    PDFName,
    PDFRawStream,
    PDFString,
    PDFHexString,
    decodePDFRawStream,
  } = await import('pdf-lib');
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false });
  } catch {
    return null;
  }
  const names = doc.catalog
    ?.lookupMaybe(PDFName.of('Names'), PDFDict)
    ?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict)
    ?.lookupMaybe(PDFName.of('Names'), PDFArray);
  for (let i = 0; names && i + 1 < names.size(); i += 2) {
    const name = names.lookup(i);
    const text = name instanceof PDFString || name instanceof PDFHexString ? name.decodeText() : '';
    if (!/^evidence-.*\.json$/.test(text)) continue;
    const file = names
      .lookupMaybe(i + 1, PDFDict)
      ?.lookupMaybe(PDFName.of('EF'), PDFDict)
      ?.lookup(PDFName.of('F'));
    if (!(file instanceof PDFRawStream)) continue;
    try {
      return JSON.parse(Buffer.from(decodePDFRawStream(file).decode()).toString('utf8'));
    } catch {
      return null;
    }
  }
  return null;
}
