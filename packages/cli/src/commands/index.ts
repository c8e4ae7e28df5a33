import type { RegisterCommand } from '../context.js';
import { registerDemo } from './demo.js';
import { registerKeygen } from './keygen.js';
import { registerTrace } from './trace.js';

/** Every subcommand, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [registerDemo, registerKeygen, registerTrace];
