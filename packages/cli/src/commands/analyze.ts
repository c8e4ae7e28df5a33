import { analyzeStream } from '@vaultmark/analysis';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { println } from '../io.js';
import { createProgress } from '../progress.js';
import { observed, openAnalysisStream } from './audio-source.js';

/**
 * `vaultmark analyze FILE [--json]`: duration, sample rate, channels, tempo, key (with Camelot),
 * integrated loudness, loudness range and true peak. The file is streamed (WAV/AIFF natively,
 * anything else through ffmpeg), so an hour-long file is never held whole.
 */
export const registerAnalyze: RegisterCommand = (program: Command, ctx) => {
  program
    .command('analyze')
    .description('measure tempo, key and loudness of an audio file')
    .option('--json', 'print the result as JSON')
    .argument('<file>', 'audio file, or - for stdin (WAV/AIFF natively; other formats need ffmpeg)')
    .action(async (file: string, options: { json?: boolean }) => {
      const stream = await openAnalysisStream(file, ctx.io);
      const progress = createProgress(ctx.io.stderr, 'analyzing', undefined);
      let summary: Awaited<ReturnType<typeof analyzeStream>>;
      try {
        summary = await analyzeStream(observed(stream, (n) => progress.advance(n)));
      } finally {
        progress.done();
        stream.close();
      }
      if (options.json) {
        println(ctx.io.stdout, JSON.stringify(summary));
        return;
      }
      const rows: Array<[string, string]> = [
        ['duration', `${summary.durationSeconds.toFixed(2)} s`],
        ['sample rate', `${summary.sampleRate} Hz`],
        ['channels', String(summary.channels)],
        [
          'tempo',
          summary.bpm === null
            ? 'unknown (too short or silent)'
            : `${summary.bpm.toFixed(1)} BPM (confidence ${summary.bpmConfidence.toFixed(2)}${summary.tempoVariable ? ', tempo varies' : ''})`,
        ],
        [
          'key',
          summary.key === null
            ? 'unknown (too short or silent)'
            : `${summary.key} (Camelot ${summary.camelot}, confidence ${summary.keyConfidence.toFixed(2)})`,
        ],
        [
          'loudness',
          summary.loudnessLufs === null
            ? 'silent'
            : `${summary.loudnessLufs.toFixed(1)} LUFS integrated, range ${summary.loudnessRangeLu.toFixed(1)} LU`,
        ],
        [
          'true peak',
          summary.truePeakDbtp === null ? 'silent' : `${summary.truePeakDbtp.toFixed(1)} dBTP`,
        ],
      ];
      for (const [name, value] of rows) println(ctx.io.stdout, `${`${name}:`.padEnd(13)}${value}`);
    });
};
