import { detect, embed, generateKey } from '@vaultmark/watermark';
import type { Command } from 'commander';
import type { RegisterCommand } from '../context.js';
import { demoSignal } from '../demo-signal.js';
import { ExitCode } from '../errors.js';
import { formatProbability, formatSeconds } from '../format.js';
import { println } from '../io.js';
import { parseIntegerOption } from '../options.js';
import { snrDb } from '../snr.js';

/** `vaultmark demo`: generate a test signal, embed a keyed watermark, detect it, print each step. */
export const registerDemo: RegisterCommand = (program: Command, ctx) => {
  program
    .command('demo')
    .description('embed a watermark into a generated test signal and detect it again')
    .option('--seconds <n>', 'length of the test signal in seconds', parseIntegerOption, 30)
    .option('--bits <n>', 'payload length in bits (32, 64 or 128)', parseIntegerOption, 128)
    .action(async (options: { seconds: number; bits: number }) => {
      const out = ctx.io.stdout;
      const sampleRate = 44100;
      const audio = demoSignal({ seconds: options.seconds, sampleRate });
      println(
        out,
        `1. generated a ${options.seconds} s test signal (44.1 kHz stereo: chords, bass, drums)`,
      );

      const key = generateKey({ name: 'demo' });
      const wrongKey = generateKey({ name: 'someone-else' });
      println(
        out,
        `2. generated watermark key "${key.name}" (${key.secret.length * 8}-bit secret)`,
      );

      const payload = new Uint8Array(options.bits / 8);
      crypto.getRandomValues(payload);
      const payloadHex = Buffer.from(payload).toString('hex');
      let started = performance.now();
      const marked = embed(audio, { key, payload });
      const embedSeconds = (performance.now() - started) / 1000;
      println(
        out,
        `3. embedded payload ${payloadHex} in ${embedSeconds.toFixed(2)} s ` +
          `(${(options.seconds / embedSeconds).toFixed(0)}× realtime), ` +
          `SNR ${snrDb(audio.channels, marked.channels).toFixed(1)} dB`,
      );

      started = performance.now();
      const result = detect(marked, { keys: [key], payloadBits: options.bits });
      const detectSeconds = (performance.now() - started) / 1000;
      const match = result.matches[0];
      if (!result.found || !match) {
        println(out, '4. detection found no watermark');
        ctx.setExitCode(ExitCode.negative);
        return;
      }
      const same = match.payload === payloadHex;
      println(
        out,
        `4. detected payload ${match.payload} with key "${match.keyName}" at ` +
          `${formatSeconds(match.offsetSeconds)} s in ${detectSeconds.toFixed(2)} s; ` +
          `false-positive probability ${formatProbability(match.falsePositiveProbability, match.log10FalsePositiveProbability)} ` +
          `(${same ? 'matches' : 'DOES NOT match'} the embedded payload)`,
      );
      const wrong = detect(marked, { keys: [wrongKey], payloadBits: options.bits });
      println(
        out,
        `5. detection with an unrelated key: ${wrong.found ? 'FOUND (unexpected)' : 'nothing found, as expected'}`,
      );
      const unmarked = detect(audio, { keys: [key], payloadBits: options.bits });
      println(
        out,
        `6. detection on the unmarked signal: ${unmarked.found ? 'FOUND (unexpected)' : 'nothing found, as expected'}`,
      );
      ctx.setExitCode(same && !wrong.found && !unmarked.found ? ExitCode.ok : ExitCode.negative);
    });
};
