import type { AnalysisKernel, DspBackend, PhaseScore, Spectrogram, SyncScorer } from './backend.js';
import type { BandAnalyzer } from './band-analysis.js';
import { codedLength } from './convolutional.js';
import { WatermarkError, type WatermarkErrorCode } from './errors.js';
import { bandRanges, fftSizeFor } from './grid.js';
import type { NativeBinding, NativeSyncCorrelatorInstance } from './native-loader.js';
import {
  BANDS_PER_FRAME,
  BLOCK_FRAMES,
  CONV_CONSTRAINT,
  CONV_GENERATORS,
  CRC_BITS,
  FORMAT_VERSION,
  SYNC_BANDS_PER_FRAME,
} from './params.js';
import { infoBits } from './payload.js';

const CODES = new Set<WatermarkErrorCode>(['invalid_option', 'unsupported_format']);

/**
 * Runs `fn`, turning a native error (message `code: text`, see native/src/errors.rs) into a
 * {@link WatermarkError} with that code.
 */
function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const match = error instanceof Error ? /^([a-z_]+): (.*)$/s.exec(error.message) : null;
    const code = match?.[1] as WatermarkErrorCode | undefined;
    if (match && code && CODES.has(code)) throw new WatermarkError(code, match[2] as string);
    throw error;
  }
}

/** A scorer that also carries its native correlator, for the batched coarse search. */
interface NativeScorer extends SyncScorer {
  readonly native: NativeSyncCorrelatorInstance;
}

/** The DSP hot loops through the native module. */
export function nativeBackend(binding: NativeBinding): DspBackend {
  const viterbi = new binding.NativeViterbi(CONV_CONSTRAINT, Uint32Array.from(CONV_GENERATORS));

  function analysis(analyzer: BandAnalyzer): AnalysisKernel {
    const kernel = call(
      () =>
        new binding.NativeBandAnalyzer(
          analyzer.windowLength,
          analyzer.hop,
          analyzer.fftSize,
          analyzer.firstBin,
          analyzer.binCount,
        ),
    );
    const gridBuf = new Float64Array(5);
    const empty = new Float32Array(0);
    // An id per spectrogram object: the native side keeps log band powers of its rows while the
    // same id comes back (a spectrogram's rows never change once it is searched).
    const ids = new WeakMap<Spectrogram, number>();
    let nextId = 0;
    const idOf = (spec: Spectrogram): number => {
      let id = ids.get(spec);
      if (id === undefined) {
        nextId = (nextId + 1) >>> 0;
        id = nextId;
        ids.set(spec, id);
      }
      return id;
    };
    return {
      spectrogram(signal) {
        const rows = kernel.rows(signal.length);
        const power = new Float32Array(rows * analyzer.binCount);
        call(() => kernel.spectrogram(signal, power, 0));
        return { rows, power };
      },
      spectrogramRows: (signal, power, firstRow) =>
        call(() => kernel.spectrogram(signal, power, Math.max(0, firstRow))),
      fold(signal, spec, grid, from, to, map, exact, folded) {
        gridBuf[0] = grid.origin;
        gridBuf[1] = grid.step;
        gridBuf[2] = grid.phase;
        gridBuf[3] = from;
        gridBuf[4] = to;
        call(() =>
          kernel.fold(
            idOf(spec),
            exact ? signal : empty,
            spec.power,
            spec.rows,
            gridBuf,
            map.lo,
            map.hi,
            exact,
            folded,
          ),
        );
      },
      coarse(spec, grids, scorer) {
        const n = grids.length;
        const specs = new Float64Array(3 * n);
        const maps = new Int32Array(2 * BANDS_PER_FRAME * n);
        grids.forEach((g, i) => {
          specs[3 * i] = g.origin;
          specs[3 * i + 1] = g.step;
          specs[3 * i + 2] = g.frames;
          maps.set(g.map.lo, 2 * BANDS_PER_FRAME * i);
          maps.set(g.map.hi, 2 * BANDS_PER_FRAME * i + BANDS_PER_FRAME);
        });
        const out = new Float64Array(2 * n);
        const native = (scorer as NativeScorer).native;
        call(() => kernel.coarse(idOf(spec), spec.power, spec.rows, specs, maps, native, out));
        const scores: PhaseScore[] = [];
        for (let i = 0; i < n; i++)
          scores.push({ phase: out[2 * i] as number, z: out[2 * i + 1] as number });
        return scores;
      },
      release: () => kernel.release(),
    };
  }

  return {
    name: 'native',
    frameMarker(sampleRate, signs, delta) {
      const size = fftSizeFor(sampleRate);
      const { lo, hi } = bandRanges(sampleRate, size);
      const engine = call(
        () => new binding.NativeFrameEmbedder(sampleRate, size, lo, hi, signs, delta),
      );
      return {
        processChannels: (firstFrame, channels) =>
          call(() => engine.processChannels(firstFrame, channels)),
      };
    },
    analysis,
    syncScorer(layout): NativeScorer {
      const native = call(() => new binding.NativeSyncCorrelator(layout.syncSign));
      const out = new Float64Array(2);
      return {
        native,
        best(folded) {
          if (folded.length !== BLOCK_FRAMES * BANDS_PER_FRAME) {
            throw new WatermarkError(
              'invalid_option',
              'folded values must be BLOCK_FRAMES × bands',
            );
          }
          native.best(folded, out);
          return { phase: out[0] as number, z: out[1] as number };
        },
      };
    },
    deriveLayout(secret, payloadBits) {
      const infoLength = infoBits(payloadBits);
      const coded = codedLength(infoLength);
      const cells = BLOCK_FRAMES * BANDS_PER_FRAME;
      const layout = {
        payloadBits,
        infoLength,
        codedLength: coded,
        syncSign: new Int8Array(cells),
        dataBit: new Int32Array(cells),
        dataSign: new Int8Array(cells),
        whitening: new Uint8Array(payloadBits + CRC_BITS),
      };
      call(() =>
        binding.deriveLayout(
          secret,
          FORMAT_VERSION,
          payloadBits,
          coded,
          SYNC_BANDS_PER_FRAME,
          layout.syncSign,
          layout.dataBit,
          layout.dataSign,
          layout.whitening,
        ),
      );
      return layout;
    },
    viterbi(soft, infoLength) {
      const out = new Uint8Array(infoLength);
      call(() => viterbi.decode(soft, out));
      return out;
    },
  };
}
