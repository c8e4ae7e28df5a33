import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer, MailMessage } from '@vaultmark/vault-core';
import type { Logger } from 'pino';

/** How often spooled mail is offered to the mail server again (30 s). */
export const MAIL_RETRY_INTERVAL_MS = 30_000;

/**
 * A mailer that never loses a message to an unreachable mail server: a message the inner mailer
 * (SMTP) cannot hand over for now (no connection, a 4xx answer) is written to a spool directory (one JSON file per message, mode 0600) and the
 * send counts as done; {@link flush} offers the spool again, oldest first, every
 * {@link MAIL_RETRY_INTERVAL_MS} once {@link start}ed, and removes each message once the server
 * has accepted it.
 *
 * A message is sent at most once per spool file: it is claimed by renaming its file to a name
 * carrying this process's id before it is sent, so two processes sharing the directory never send
 * the same file; a claim left by a process that died is taken over. A crash between the server's
 * acceptance and the file's removal sends that one message again (at least once, the most a
 * mail server's protocol allows).
 */
export class SpooledMailer implements Mailer {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<number> | undefined;
  /** Claims this process holds right now (any other claim with its pid is a previous life's). */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly inner: Mailer,
    /** The spool directory (`DATA/mail-spool`). */
    readonly dir: string,
    private readonly logger?: Logger,
    /** The id that marks this process's claims: its pid (tests stand in for other processes). */
    private readonly pid = process.pid,
  ) {}

  async send(message: MailMessage): Promise<void> {
    // Older mail first: while some is spooled, new mail joins the queue behind it and the queue
    // is offered again at once.
    if ((await this.pending()) === 0) {
      try {
        await this.inner.send(message);
        return;
      } catch (error) {
        if (!transient(error)) throw error;
        this.logger?.warn({ err: error }, 'mail server unavailable; message spooled');
        await this.spool(message);
        return;
      }
    }
    await this.spool(message);
    await this.flush().catch((error) => this.logger?.error({ err: error }, 'mail spool flush'));
  }

  /** Number of messages waiting in the spool. */
  async pending(): Promise<number> {
    return (await this.files()).length;
  }

  /**
   * Offers every spooled message to the mail server, oldest first, stopping at the first refusal.
   * Resolves with how many were sent. Concurrent calls share one pass.
   */
  flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Flushes the spool every `intervalMs` until {@link stop}. */
  start(intervalMs = MAIL_RETRY_INTERVAL_MS): void {
    this.timer ??= setInterval(() => {
      this.flush().catch((error) => this.logger?.error({ err: error }, 'mail spool flush failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic flush (spooled mail stays for the next start). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing?.catch(() => 0);
  }

  private async spool(message: MailMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`;
    const body = JSON.stringify({ to: message.to, subject: message.subject, text: message.text });
    const tmp = join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
  }

  private async flushOnce(): Promise<number> {
    let sent = 0;
    for (const name of await this.files()) {
      const claimed = await this.claim(name);
      if (!claimed) continue;
      try {
        const message = JSON.parse(await readFile(claimed, 'utf8')) as MailMessage;
        try {
          await this.inner.send(message);
        } catch (error) {
          if (transient(error)) {
            // Still unavailable: put it back for the next pass.
            await rename(claimed, join(this.dir, name));
            this.logger?.warn({ err: error }, 'mail server still unavailable');
            break;
          }
          // Refused for good (an invalid address): retrying cannot help.
          this.logger?.error({ err: error }, 'spooled mail refused; dropped');
          await rm(claimed, { force: true });
          continue;
        }
        await rm(claimed, { force: true });
        sent++;
      } finally {
        this.inFlight.delete(`${name}.${this.pid}.sending`);
      }
    }
    if (sent > 0) this.logger?.info({ sent }, 'spooled mail sent');
    return sent;
  }

  /** Spooled messages (queued, or claimed by a process that is gone), oldest first. */
  private async files(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: string[] = [];
    for (const name of names) {
      if (name.endsWith('.json')) out.push(name);
      const claim = /^(.+\.json)\.(\d+)\.sending$/.exec(name);
      const pid = Number(claim?.[2]);
      const stale = pid === this.pid ? !this.inFlight.has(name) : !alive(pid);
      if (claim && stale) {
        // Its process died while sending: queue it again (it may have gone out; see above).
        await rename(join(this.dir, name), join(this.dir, claim[1]!)).catch(() => {});
        out.push(claim[1]!);
      }
    }
    return [...new Set(out)].sort();
  }

  /** Renames a queued file to this process's claim; null when another process took it. */
  private async claim(name: string): Promise<string | null> {
    const claim = `${name}.${this.pid}.sending`;
    const claimed = join(this.dir, claim);
    this.inFlight.add(claim);
    try {
      await rename(join(this.dir, name), claimed);
      return claimed;
    } catch {
      this.inFlight.delete(claim);
      return null;
    }
  }
}

/**
 * Whether a send may succeed later: no answer at all (refused, reset, timed out), a 4xx answer
 * (RFC 5321: transient), or failed authentication (a configuration the operator fixes). A 5xx
 * answer is permanent for that message.
 */
function transient(error: unknown): boolean {
  const { responseCode, code } = (error ?? {}) as { responseCode?: unknown; code?: unknown };
  if (code === 'EAUTH') return true;
  return typeof responseCode !== 'number' || (responseCode >= 400 && responseCode < 500);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
