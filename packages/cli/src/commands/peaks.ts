import { extname } from 'node:path';
import {
  createPeaksBuilder,
  encodePeaksDat,
  encodePeaksJson,
  renderPeaksPng,
  renderPeaksSvg,
  samplesPerPixelFor,
} from '@vaultmark/analysis';
import { type Command, InvalidArgumentError } from 'commander';
import { writeFileAtomic } from '../atomic-write.js';
import type { RegisterCommand } from '../context.js';
import { CliError } from '../errors.js';
import { parseIntegerOption, parseNumberOption } from '../options.js';
import { createProgress } from '../progress.js';
import { observed, openAnalysisStream } from './audio-source.js';

const FORMATS = ['.dat', '.json', '.png', '.svg'] as const;
type Format = (typeof FORMATS)[number];

/** Image width when neither a zoom nor a pixel rate is given: the whole file fits in it. */
const DEFAULT_IMAGE_WIDTH = 800;
/** Samples per point measured for images before the columns are merged to the width. */
const IMAGE_MEASURE_ZOOM = 64;

interface PeaksOptions {
  output: string;
  zoom?: number;
  pixelsPerSecond?: number;
  bits: 8 | 16;
  splitChannels?: boolean;
  width?: number;
  height?: number;
  waveformColor?: string;
  backgroundColor?: string;
}

const parseBits = (value: string): 8 | 16 => {
  if (value !== '8' && value !== '16') throw new InvalidArgumentError('expected 8 or 16');
  return Number(value) as 8 | 16;
};

/**
 * `vaultmark peaks FILE -o OUT.dat|OUT.json|OUT.png|OUT.svg`: waveform peaks in the BBC
 * audiowaveform formats (binary version 1, or 2 with `--split-channels`; JSON version 2), or a
 * rendered image. Streams the input, so memory stays bounded for long files.
 */
export const registerPeaks: RegisterCommand = (program: Command, ctx) => {
  program
    .command('peaks')
    .description('compute waveform peaks (audiowaveform .dat/.json) or draw them (.png/.svg)')
    .requiredOption('-o, --output <file>', 'output: .dat, .json, .png or .svg')
    .option('--zoom <samples>', 'input samples per point (default 256)', parseIntegerOption)
    .option('--pixels-per-second <n>', 'points per second of audio', parseNumberOption)
    .option('--bits <bits>', 'resolution of .dat/.json values: 8 or 16', parseBits, 16)
    .option('--split-channels', 'one waveform per input channel instead of a mono mix')
    .option(
      '--width <pixels>',
      `image width (default ${DEFAULT_IMAGE_WIDTH}, or one pixel per point with --zoom)`,
      parseIntegerOption,
    )
    .option('--height <pixels>', 'image height (default 128 per channel)', parseIntegerOption)
    .option('--waveform-color <rrggbb[aa]>', 'image waveform colour (hex)')
    .option('--background-color <rrggbb[aa]>', 'image background colour (hex)')
    .argument('<file>', 'audio file, or - for stdin (WAV/AIFF natively; other formats need ffmpeg)')
    .action(async (file: string, options: PeaksOptions) => {
      const format = extname(options.output).toLowerCase() as Format;
      if (!FORMATS.includes(format)) {
        throw new CliError(
          'unsupported_output',
          `${options.output}: the output must end in ${FORMATS.join(', ')}`,
        );
      }
      const image = format === '.png' || format === '.svg';
      const scaled = options.zoom !== undefined || options.pixelsPerSecond !== undefined;
      for (const [name, value] of [
        ['--waveform-color', options.waveformColor],
        ['--background-color', options.backgroundColor],
      ] as const) {
        if (value !== undefined && !/^#?[0-9a-f]{6}([0-9a-f]{2})?$/i.test(value)) {
          throw new CliError('invalid_argument', `${name} must be a hex colour such as 3a86ff`);
        }
      }
      const colour = (v: string | undefined) =>
        v === undefined || v.startsWith('#') ? v : `#${v}`;

      const stream = await openAnalysisStream(file, ctx.io);
      const progress = createProgress(ctx.io.stderr, 'computing peaks', undefined);
      let peaks: ReturnType<ReturnType<typeof createPeaksBuilder>['finish']>;
      try {
        const samplesPerPixel = samplesPerPixelFor(
          image && !scaled
            ? { zoom: IMAGE_MEASURE_ZOOM }
            : {
                ...(options.zoom !== undefined ? { zoom: options.zoom } : {}),
                ...(options.pixelsPerSecond !== undefined
                  ? { pixelsPerSecond: options.pixelsPerSecond }
                  : {}),
              },
          stream.sampleRate,
        );
        const builder = createPeaksBuilder({
          sampleRate: stream.sampleRate,
          inputChannels: stream.channelCount,
          samplesPerPixel,
          splitChannels: options.splitChannels ?? false,
        });
        for await (const chunk of observed(stream, (n) => progress.advance(n)).chunks) {
          builder.push(chunk);
        }
        peaks = builder.finish();
      } finally {
        progress.done();
        stream.close();
      }

      const render = {
        ...(options.width !== undefined
          ? { width: options.width }
          : image && !scaled
            ? { width: Math.max(1, Math.min(DEFAULT_IMAGE_WIDTH, peaks.length)) }
            : {}),
        ...(options.height !== undefined ? { height: options.height } : {}),
        ...(options.waveformColor ? { waveformColor: colour(options.waveformColor) } : {}),
        ...(options.backgroundColor ? { backgroundColor: colour(options.backgroundColor) } : {}),
      };
      const version = options.splitChannels ? 2 : 1;
      const out =
        format === '.dat'
          ? encodePeaksDat(peaks, { bits: options.bits, version })
          : format === '.json'
            ? encodePeaksJson(peaks, { bits: options.bits })
            : format === '.png'
              ? renderPeaksPng(peaks, render)
              : renderPeaksSvg(peaks, render);
      await writeFileAtomic(options.output, out);
    });
};
