import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One plain-text email. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Mail port: sign-in codes and new-device alerts go through it. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

function header(value: string): string {
  // Header injection guard: no CR/LF in header values.
  return value.replace(/[\r\n]+/g, ' ');
}

/**
 * Writes each message as an RFC 5322 `.eml` file into a directory (the embedded default: the
 * operator reads codes from `<dataDir>/outbox`). Files appear atomically (temp file + rename).
 */
export class OutboxMailer implements Mailer {
  constructor(
    readonly dir: string,
    private readonly from = 'Vaultmark <vaultmark@localhost>',
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(m: MailMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const at = this.now();
    const name = `${at.toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const body = [
      `From: ${header(this.from)}`,
      `To: ${header(m.to)}`,
      `Subject: ${header(m.subject)}`,
      `Date: ${at.toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      m.text,
      '',
    ].join('\r\n');
    const tmp = join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
  }
}

/** SMTP settings (nodemailer transport options). */
export interface SmtpConfig {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  from: string;
}

/** Sends through SMTP with nodemailer, loaded on first use. */
export class SmtpMailer implements Mailer {
  private transport: Promise<{ sendMail(o: object): Promise<unknown> }> | undefined;
  constructor(private readonly config: SmtpConfig) {}

  async send(m: MailMessage): Promise<void> {
    this.transport ??= import('nodemailer').then((mod) =>
      mod.createTransport({
        host: this.config.host,
        port: this.config.port,
        secure: this.config.secure ?? this.config.port === 465,
        ...(this.config.user ? { auth: { user: this.config.user, pass: this.config.pass } } : {}),
      }),
    );
    await (await this.transport).sendMail({
      from: this.config.from,
      to: m.to,
      subject: header(m.subject),
      text: m.text,
    });
  }
}
