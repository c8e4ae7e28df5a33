import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { formatProbability, matchedAmong } from '../format.js';
import { println } from '../io.js';
import { parseNumberOption } from '../options.js';

interface InvestigationStatus {
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: number;
  error?: { code: string; message: string };
  result?: {
    identified: boolean;
    inconclusive?: boolean;
    trackId?: string;
    trackTitle?: string;
    shareId?: string;
    recipient?: { name: string; email: string; company?: string };
    falsePositiveProbability?: number;
    log10FalsePositiveProbability?: number;
    offsetSeconds?: number;
    /** Every recipient whose copy is in the audio, strongest first. */
    matches?: TracedMatch[];
  };
}

/** One recipient named by an investigation, as the API gives it. */
interface TracedMatch {
  recipient: { name: string; email: string; company?: string };
  trackId?: string;
  trackTitle?: string | null;
  shareId?: string | null;
  falsePositiveProbability?: number;
  log10FalsePositiveProbability?: number;
  method?: 'decoded' | 'candidate';
  candidates?: number;
}

/** `Name <email>, Company`. */
const who = (r: TracedMatch['recipient']) =>
  `${r.name} <${r.email}>${r.company ? `, ${r.company}` : ''}`;

/** How a match was made, when it was not decoded from the mark alone. */
const foundBy = (m: TracedMatch | undefined) =>
  m?.method === 'candidate' ? matchedAmong(m.candidates ?? 0) : undefined;

/**
 * `vaultmark trace --server URL --token TOKEN FILE`: uploads found audio to a vault as an
 * investigation, waits for it, and prints who the copy was shared with. Exit 0 when a recipient is
 * identified, 1 when not.
 */
export const registerTrace: RegisterCommand = (program: Command, ctx) => {
  program
    .command('trace')
    .description('ask a vault which recipient a leaked file was shared with')
    .requiredOption('--server <url>', 'base URL of the vault, e.g. https://vault.example.com')
    .option('--token <token>', 'API token (or set VAULTMARK_TOKEN)')
    .option('--timeout <seconds>', 'give up after this many seconds', parseNumberOption, 900)
    .option('--json', 'print the investigation result as JSON')
    .argument('<file>', 'the found audio, in any format the vault reads')
    .action(
      async (
        file: string,
        options: { server: string; token?: string; timeout: number; json?: boolean },
      ) => {
        const token = options.token ?? ctx.io.env.VAULTMARK_TOKEN;
        if (!token)
          throw new CliError(
            'usage_error',
            'an API token is required (--token or VAULTMARK_TOKEN)',
          );
        let base: URL;
        try {
          base = new URL(options.server);
        } catch {
          throw new CliError('usage_error', `not a URL: ${options.server}`);
        }
        await stat(file);
        const headers = { Authorization: `Bearer ${token}` };
        const form = new FormData();
        form.set('file', new Blob([await readFile(file)]), basename(file));
        const created = await request(new URL('/api/investigations', base), {
          method: 'POST',
          headers,
          body: form,
        });
        const { id } = (await created.json()) as { id: string };
        const progress = ctx.io.stderr.isTTY === true;
        const deadline = Date.now() + options.timeout * 1000;
        let state: InvestigationStatus;
        for (;;) {
          const response = await request(
            new URL(`/api/investigations/${encodeURIComponent(id)}`, base),
            { headers },
          );
          state = (await response.json()) as InvestigationStatus;
          if (state.status === 'succeeded' || state.status === 'failed') break;
          if (progress)
            ctx.io.stderr.write(`\rinvestigating… ${Math.round((state.progress ?? 0) * 100)}%`);
          if (Date.now() > deadline)
            throw new CliError(
              'timeout',
              `the investigation did not finish in ${options.timeout} s`,
            );
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        if (progress) ctx.io.stderr.write('\r\x1b[K');
        if (state.status === 'failed') {
          throw new CliError(
            state.error?.code ?? 'investigation_failed',
            state.error?.message ?? 'the investigation failed',
          );
        }
        const result = state.result!;
        // Each recipient once (a mixed leak may carry several copies of one person's).
        const named = [
          ...new Map((result.matches ?? []).map((m) => [who(m.recipient), m])).values(),
        ];
        const report = () =>
          println(
            ctx.io.stdout,
            `report: ${new URL(`/api/investigations/${encodeURIComponent(id)}/report`, base)}`,
          );
        if (options.json) println(ctx.io.stdout, JSON.stringify({ id, ...result }, null, 2));
        else if (result.identified && named.length > 1) {
          println(
            ctx.io.stdout,
            `identified: ${named.length} recipients, whose copies were mixed or spliced together`,
          );
          for (const m of named) {
            const parts = [
              (m.trackTitle ?? m.trackId) ? `track ${m.trackTitle ?? m.trackId}` : undefined,
              m.shareId ? `share ${m.shareId}` : undefined,
              `false-positive probability ${boundOf(m) ?? 'unknown'}`,
              foundBy(m),
            ].filter((part) => part !== undefined);
            println(ctx.io.stdout, `- ${who(m.recipient)}: ${parts.join(', ')}`);
          }
          report();
        } else if (result.identified && result.recipient) {
          println(ctx.io.stdout, `identified: ${who(result.recipient)}`);
          if (result.trackTitle ?? result.trackId)
            println(ctx.io.stdout, `track: ${result.trackTitle ?? result.trackId}`);
          if (result.shareId) println(ctx.io.stdout, `share: ${result.shareId}`);
          const probability = boundOf(result);
          if (probability) println(ctx.io.stdout, `false-positive probability: ${probability}`);
          const how = foundBy(named[0]);
          if (how) println(ctx.io.stdout, `found by: ${how}`);
          report();
        } else {
          println(
            ctx.io.stdout,
            result.inconclusive
              ? 'inconclusive: no recipient can be named'
              : 'no match in your vault',
          );
        }
        ctx.setExitCode(result.identified ? ExitCode.ok : ExitCode.negative);
      },
    );
};

/** The false-positive bound of a result or match, when the server gave one. */
function boundOf(result: {
  falsePositiveProbability?: number;
  log10FalsePositiveProbability?: number;
}): string | undefined {
  const p = result.falsePositiveProbability;
  const log10 = result.log10FalsePositiveProbability;
  return p === undefined && log10 === undefined ? undefined : formatProbability(p ?? 0, log10);
}

async function request(url: URL, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new CliError(
      'server_unreachable',
      `${url.origin}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { code: string; message: string } }
      | undefined;
    throw new CliError(
      body?.error?.code ?? `http_${response.status}`,
      body?.error?.message ?? `${url.pathname}: HTTP ${response.status}`,
    );
  }
  return response;
}
