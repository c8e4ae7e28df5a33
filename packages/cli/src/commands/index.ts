import type { RegisterCommand } from '../context.js';
import { registerAnalyze } from './analyze.js';
import { registerDemo } from './demo.js';
import { registerDetect } from './detect.js';
import { registerEmbed } from './embed.js';
import { registerEvidence } from './evidence.js';
import { registerKeygen } from './keygen.js';
import { registerKeys } from './keys-rotate.js';
import { registerMigrate } from './migrate.js';
import { registerPeaks } from './peaks.js';
import { registerServe } from './serve.js';
import { registerStems } from './stems.js';
import { registerTrace } from './trace.js';
import { registerWorker } from './worker.js';

/** Every subcommand, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerDemo,
  registerKeygen,
  registerEmbed,
  registerDetect,
  registerTrace,
  registerEvidence,
  registerAnalyze,
  registerPeaks,
  registerStems,
  registerServe,
  registerWorker,
  registerMigrate,
  registerKeys,
];
