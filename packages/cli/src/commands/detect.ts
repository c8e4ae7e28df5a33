import { createDetector, type DetectResult } from '@vaultmark/watermark';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { ExitCode } from '../errors.js';
import { formatProbability, formatSeconds, matchedAmong } from '../format.js';
import { println } from '../io.js';
import { loadKey } from '../keys.js';
import { parseIntegerOption } from '../options.js';
import { loadPayloadList } from '../payload-list.js';
import { createProgress } from '../progress.js';
import { openAnalysisStream } from './audio-source.js';

/**
 * `vaultmark detect --key KEYFILE [--key KEYFILE2 ...] [--bits N] [--json] INPUT`: looks for the
 * keys' watermarks in INPUT. Exit 0 when found, 1 when not, 2 on error.
 */
export const registerDetect: RegisterCommand = (program: Command, ctx) => {
  program
    .command('detect')
    .description('look for watermarks of the given keys in INPUT (exit 0 found, 1 not found)')
    .requiredOption(
      '--key <keyfile>',
      'watermark key file; repeat for several keys',
      collect,
      [] as string[],
    )
    .option('--bits <n>', 'payload size to decode: 32, 64 or 128', parseIntegerOption, 128)
    .option(
      '--payloads <file>',
      'payloads issued under the key, one hex payload per line: a copy too damaged to decode is matched against them',
    )
    .option('--json', 'print the result as JSON')
    .argument('<input>', 'audio file, or - for stdin')
    .action(
      async (
        input: string,
        options: { key: string[]; bits: number; payloads?: string; json?: boolean },
      ) => {
        const keys = await Promise.all(options.key.map(loadKey));
        const candidates = options.payloads
          ? await loadPayloadList(options.payloads, options.bits)
          : undefined;
        // The detector mixes each chunk into its own window, so the reader may reuse its arrays.
        const source = await openAnalysisStream(input, ctx.io, { reuseChunks: true });
        const progress = createProgress(ctx.io.stderr, 'detecting', source.totalFrames);
        const detector = createDetector({
          keys,
          payloadBits: options.bits,
          ...(candidates ? { candidatePayloads: candidates } : {}),
          sampleRate: source.sampleRate,
          channels: source.channelCount,
        });
        let result: DetectResult;
        try {
          for await (const chunk of source.chunks) {
            detector.push(chunk);
            progress.advance(chunk[0]?.length ?? 0);
          }
          result = detector.finish();
        } finally {
          progress.done();
        }
        if (options.json) {
          println(
            ctx.io.stdout,
            JSON.stringify({
              found: result.found,
              // Copies made for different recipients mixed or spliced together (collusion).
              severalMarks: result.severalMarks,
              matches: result.matches.map((m) => ({
                payload: m.payload,
                key: m.keyName,
                offsetSeconds: round(m.offsetSeconds, 4),
                // 0 once the bound underflows a double: the log10 stays exact.
                falsePositiveProbability: m.falsePositiveProbability,
                log10FalsePositiveProbability: round(m.log10FalsePositiveProbability, 3),
                speed: round(m.speed, 5),
                method: m.method,
                ...(m.candidates !== undefined ? { candidates: m.candidates } : {}),
              })),
              durationSeconds: round(result.durationSeconds, 3),
            }),
          );
        } else if (result.found) {
          for (const m of result.matches) {
            const speed =
              Math.abs(m.speed - 1) > 1e-4 ? `, speed ${(m.speed * 100).toFixed(2)} %` : '';
            const how = m.candidates !== undefined ? `, ${matchedAmong(m.candidates)}` : '';
            println(
              ctx.io.stdout,
              `${m.payload}  key "${m.keyName}", offset ${formatSeconds(m.offsetSeconds)} s${speed}, false-positive probability ${formatProbability(m.falsePositiveProbability, m.log10FalsePositiveProbability)}${how}`,
            );
          }
          if (result.severalMarks) {
            println(
              ctx.io.stdout,
              'several marks of one key: copies made for different recipients were mixed or spliced together; each is named on its own evidence above',
            );
          }
        } else {
          println(ctx.io.stdout, 'no watermark found');
        }
        ctx.setExitCode(result.found ? ExitCode.ok : ExitCode.negative);
      },
    );
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
