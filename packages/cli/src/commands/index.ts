import type { RegisterCommand } from '../context.js';
import { registerDemo } from './demo.js';
import { registerDetect } from './detect.js';
import { registerEmbed } from './embed.js';
import { registerKeygen } from './keygen.js';
import { registerTrace } from './trace.js';

/** Every subcommand, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerDemo,
  registerKeygen,
  registerEmbed,
  registerDetect,
  registerTrace,
];
