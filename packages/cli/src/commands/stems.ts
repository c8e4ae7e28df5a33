import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { collectStream, createDspSeparator, encodeWav } from '@vaultmark/analysis';
import type { Command } from 'commander';
import { writeFileAtomic } from '../atomic-write.js';
import type { RegisterCommand } from '../context.js';
import { println } from '../io.js';
import { createProgress } from '../progress.js';
import { observed, openAnalysisStream } from './audio-source.js';

/**
 * `vaultmark stems FILE --out DIR`: separates FILE into `vocals`, `drums` and `other` with the
 * DSP separator and writes `DIR/<stem>.wav` (16-bit, the input's rate and channels).
 */
export const registerStems: RegisterCommand = (program: Command, ctx) => {
  program
    .command('stems')
    .description('separate an audio file into vocals, drums and other (WAV files in DIR)')
    .requiredOption('--out <dir>', 'directory for the stem files (created if missing)')
    .argument('<file>', 'audio file, or - for stdin (WAV/AIFF natively; other formats need ffmpeg)')
    .action(async (file: string, options: { out: string }) => {
      const stream = await openAnalysisStream(file, ctx.io);
      const reading = createProgress(ctx.io.stderr, 'decoding', undefined);
      let channels: Float32Array[];
      try {
        channels = await collectStream(observed(stream, (n) => reading.advance(n)));
      } finally {
        reading.done();
        stream.close();
      }
      const separator = createDspSeparator();
      const working = createProgress(ctx.io.stderr, 'separating', undefined);
      working.advance(0);
      const stems = await separator.separate({
        audio: { sampleRate: stream.sampleRate, channels },
      });
      working.done();
      await mkdir(options.out, { recursive: true });
      for (const name of separator.stemNames) {
        const audio = stems[name];
        if (!audio) continue;
        const path = join(options.out, `${name}.wav`);
        await writeFileAtomic(path, encodeWav(audio));
        println(ctx.io.stdout, path);
      }
    });
};
