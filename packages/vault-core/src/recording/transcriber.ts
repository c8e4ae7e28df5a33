import type { Readable } from 'node:stream';

/**
 * Transcription port: turns a track's audio (any format ffmpeg reads) into text. Transcripts are
 * off by default; an organization turns them on, and the deployment chooses the engine. The one
 * real engine runs locally without network ({@link PocketsphinxTranscriber}).
 */
export interface Transcriber {
  /** Engine name, stored beside each transcript. */
  readonly engine: string;
  /** The transcript of the whole stream. */
  transcribe(audio: Readable): Promise<string>;
}

/**
 * A transcriber for tests: reads the whole stream and answers a fixed sentence naming its size,
 * so a test can check what was stored without a speech engine.
 */
export class TestTranscriber implements Transcriber {
  readonly engine = 'test';
  async transcribe(audio: Readable): Promise<string> {
    let bytes = 0;
    for await (const chunk of audio as AsyncIterable<Buffer>) bytes += chunk.length;
    return `test transcript of ${bytes} bytes`;
  }
}
