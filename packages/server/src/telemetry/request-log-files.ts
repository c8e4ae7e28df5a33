import { createWriteStream, mkdirSync, readdirSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** What is kept of one answered request. */
export interface RequestLogEntry {
  at: Date;
  requestId: string;
  method: string;
  /** The route template (`/s/:token`), never the raw path: tokens and queries stay out. */
  route: string;
  status: number;
  latencyMs: number;
}

/** Where answered requests are kept (the access log middleware's sink). */
export interface RequestLog {
  record(entry: RequestLogEntry): void;
}

/** Request logs are kept this many days, then deleted (the privacy promise). */
export const REQUEST_LOG_RETENTION_DAYS = 30;

const FILE = /^requests-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const HOUR_MS = 3600_000;

/**
 * Request logs as one JSON-lines file per UTC day (`requests-YYYY-MM-DD.jsonl`) in a directory,
 * appended to by every server sharing it, and deleted once older than the retention: at start and
 * every hour. One line per request: time, request id, method, route template, status, latency in
 * milliseconds. Nothing that identifies a person (no address, no user, no token) is written; the
 * request id ties a line to the structured log on stdout, which has its own retention wherever it
 * is collected.
 */
export class RequestLogFiles implements RequestLog {
  readonly dir: string;
  readonly retentionDays: number;
  readonly #now: () => Date;
  #day = '';
  #stream: WriteStream | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(dir: string, options: { retentionDays?: number; now?: () => Date } = {}) {
    this.dir = dir;
    this.retentionDays = options.retentionDays ?? REQUEST_LOG_RETENTION_DAYS;
    this.#now = options.now ?? (() => new Date());
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Purges now and then every hour (the timer does not keep the process alive). */
  start(): this {
    this.purge();
    this.#timer = setInterval(() => this.purge(), HOUR_MS);
    this.#timer.unref();
    return this;
  }

  record(entry: RequestLogEntry): void {
    const day = entry.at.toISOString().slice(0, 10);
    if (day !== this.#day || !this.#stream) {
      this.#stream?.end();
      this.#day = day;
      this.#stream = createWriteStream(join(this.dir, `requests-${day}.jsonl`), {
        flags: 'a',
        mode: 0o600,
      });
    }
    this.#stream.write(
      `${JSON.stringify({
        at: entry.at.toISOString(),
        requestId: entry.requestId,
        method: entry.method,
        route: entry.route,
        status: entry.status,
        latencyMs: entry.latencyMs,
      })}\n`,
    );
  }

  /**
   * Deletes the files of days that ended more than the retention ago (a day's file goes once all
   * of its lines are older than that). Returns the names deleted.
   */
  purge(): string[] {
    const cutoff = new Date(this.#now().getTime() - this.retentionDays * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const day = FILE.exec(name)?.[1];
      if (day && day < cutoff) {
        rmSync(join(this.dir, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }

  /** Stops the purge timer and flushes the open file. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const stream = this.#stream;
    this.#stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }
}
