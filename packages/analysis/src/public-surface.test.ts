import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      'AnalysisError',
      'AudioDecodeError',
      'DEFAULT_WAV_FORMAT',
      'collectStream',
      'createWavFileWriter',
      'decodeAudioFile',
      'encodeAudioFile',
      'encodeWav',
      'mixToMono',
      'openAudioStream',
      'readAiff',
      'readAudioBytes',
      'readWav',
      'sniffContainer',
      'measureLoudness',
      'truePeakOf',
      'computePeaks',
      'createPeaksBuilder',
      'samplesPerPixelFor',
      'decodePeaksDat',
      'encodePeaksDat',
      'encodePeaksJson',
      'renderPeaksPng',
      'renderPeaksSvg',
      'encodePng',
      'analyze',
      'chromaProfile',
      'camelotOf',
      'estimateKey',
      'keyFromChroma',
      'keyName',
      'onsetEnvelope',
      'estimateTempo',
    ].sort(),
  );
});
