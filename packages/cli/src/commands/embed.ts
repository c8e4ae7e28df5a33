import { createEmbedder, WatermarkError } from '@vaultmark/watermark';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { loadKey } from '../keys.js';
import { parseIntegerOption, parseNumberOption } from '../options.js';
import { createProgress } from '../progress.js';
import { openAnalysisSink, openAnalysisStream } from './audio-source.js';

/**
 * `vaultmark embed --key KEYFILE [--strength S] [--bits N] INPUT OUTPUT PAYLOAD_HEX`: streams
 * INPUT through the watermark embedder into OUTPUT, keeping the input's WAV/AIFF sample format
 * (AIFF or FLAC when OUTPUT ends in `.aiff` or `.flac`). `-` reads stdin or writes stdout.
 */
export const registerEmbed: RegisterCommand = (program: Command, ctx) => {
  program
    .command('embed')
    .description('embed a keyed watermark carrying PAYLOAD_HEX into INPUT, writing OUTPUT')
    .requiredOption('--key <keyfile>', 'watermark key file (from `vaultmark keygen`)')
    .option(
      '--strength <percent>',
      'relative band change in percent (default: the format default)',
      parseNumberOption,
    )
    .option(
      '--bits <n>',
      'payload size: 32, 64 or 128 (default: from the hex length)',
      parseIntegerOption,
    )
    .argument('<input>', 'audio file, or - for stdin (WAV natively; other formats need ffmpeg)')
    .argument('<output>', 'WAV or FLAC file, or - for stdout (WAV)')
    .argument('<payload>', 'payload as hex: 8, 16 or 32 hex digits')
    .action(
      async (
        input: string,
        output: string,
        payloadHex: string,
        options: { key: string; strength?: number; bits?: number },
      ) => {
        const payload = payloadHex.trim().toLowerCase();
        if (!/^[0-9a-f]+$/.test(payload)) {
          throw new WatermarkError('invalid_payload', 'the payload must be hexadecimal');
        }
        if (options.bits !== undefined && payload.length * 4 !== options.bits) {
          throw new WatermarkError(
            'invalid_payload',
            `--bits ${options.bits} needs ${options.bits / 4} hex digits, got ${payload.length}`,
          );
        }
        const key = await loadKey(options.key);
        // The embedder copies each chunk into its output, so the reader may reuse its arrays.
        const source = await openAnalysisStream(input, ctx.io, { reuseChunks: true });
        const embedder = createEmbedder({
          key,
          payload,
          sampleRate: source.sampleRate,
          channels: source.channelCount,
          // Each output is written before the next push: reused arrays keep memory flat.
          reuseOutput: true,
          ...(options.strength !== undefined ? { strength: options.strength } : {}),
        });
        // A WAV or AIFF keeps its sample format; audio decoded by ffmpeg is written as 16-bit.
        const sink = await openAnalysisSink(output, ctx.io, {
          sampleRate: source.sampleRate,
          channelCount: source.channelCount,
          format: source.container ? source.format : { encoding: 'pcm', bitsPerSample: 16 },
          ...(source.totalFrames === undefined ? {} : { totalFrames: source.totalFrames }),
        });
        const progress = createProgress(ctx.io.stderr, 'embedding', source.totalFrames);
        try {
          for await (const chunk of source.chunks) {
            await sink.write(embedder.push(chunk));
            progress.advance(chunk[0]?.length ?? 0);
          }
          await sink.write(embedder.flush());
          await sink.close();
        } catch (error) {
          source.close();
          await sink.abort();
          throw error;
        } finally {
          progress.done();
        }
      },
    );
};
