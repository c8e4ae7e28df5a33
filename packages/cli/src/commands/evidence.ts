import { createHash, createPublicKey } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EvidenceBundle, EvidenceCheck, EvidenceDocument } from '@vaultmark/vault-core';
import { createDetector, type WatermarkKey } from '@vaultmark/watermark';
import type { Command } from 'commander';
import type { CommandContext, RegisterCommand } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { formatProbability } from '../format.js';
import { println } from '../io.js';
import { loadKey } from '../keys.js';
import { openAnalysisStream } from './audio-source.js';

/** A check of the command: the bundle's own, or the re-detection in the given audio. */
type Check = Omit<EvidenceCheck, 'name'> & { name: EvidenceCheck['name'] | 'redetection' };

interface VerifyOptions {
  publicKey?: string;
  audio?: string;
  key: string[];
  json?: boolean;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readPublicKey(path: string): Promise<string> {
  const pem = await readFile(path, 'utf8');
  try {
    if (createPublicKey(pem).asymmetricKeyType === 'ed25519') return pem;
  } catch {
    // reported below
  }
  throw new CliError('invalid_public_key', `${path}: not an Ed25519 public key (PEM)`);
}

/**
 * Runs the detector over the found audio with the exported watermark keys and checks that every
 * match of the bundle made with one of them is found again: same payload, bound at or below the
 * investigation's threshold.
 */
async function redetect(
  ctx: CommandContext,
  doc: EvidenceDocument,
  audio: string,
  keys: WatermarkKey[],
): Promise<Check> {
  const fail = (detail: string): Check => ({ name: 'redetection', ok: false, detail });
  const names = new Set(keys.map((k) => k.name));
  const expected = (doc.matches ?? []).filter((m) => names.has(m.detection.keyId));
  if (expected.length === 0) return fail('no match of the bundle was made with the keys given');
  const source = await openAnalysisStream(audio, ctx.io, { reuseChunks: true });
  const detector = createDetector({
    keys,
    payloadBits: expected[0]?.detection.payloadBits ?? 128,
    maxFalsePositiveProbability: doc.search.thresholdProbability,
    sampleRate: source.sampleRate,
    channels: source.channelCount,
  });
  for await (const chunk of source.chunks) detector.push(chunk);
  const found = detector.finish().matches;
  const seen: string[] = [];
  for (const m of expected) {
    const again = found.find(
      (f) => f.keyName === m.detection.keyId && f.payload === m.detection.payload,
    );
    if (!again) return fail(`payload ${m.detection.payload} was not found again`);
    seen.push(
      `${again.payload} (false-positive probability ${formatProbability(again.falsePositiveProbability, again.log10FalsePositiveProbability)})`,
    );
  }
  return { name: 'redetection', ok: true, detail: `found again: ${seen.join(', ')}` };
}

async function verifyCommand(ctx: CommandContext, file: string, options: VerifyOptions) {
  const at = (p: string) => resolve(ctx.io.cwd, p);
  const bytes = await readFile(at(file));
  const publicKeyPem = options.publicKey ? await readPublicKey(at(options.publicKey)) : undefined;
  const keys = await Promise.all(options.key.map((k) => loadKey(at(k))));
  if (keys.length > 0 && !options.audio) {
    throw new CliError('usage_error', '--key re-runs detection: give the audio with --audio');
  }
  // vault-core (and its database drivers) loads only when a bundle is verified.
  const { evidenceFromPdf, verifyEvidence } = await import('@vaultmark/vault-core');
  let bundle: unknown = null; // not JSON: reported as "not a bundle", a failed verification
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') bundle = await evidenceFromPdf(bytes);
  else {
    try {
      bundle = JSON.parse(bytes.toString('utf8'));
    } catch {
      // stays null
    }
  }
  const audioSha256 = options.audio ? await sha256File(at(options.audio)) : undefined;
  const result = verifyEvidence(bundle, { publicKeyPem, audioSha256 });
  const checks: Check[] = [...result.checks];
  const notes: string[] = [];
  const doc = (bundle as EvidenceBundle | null)?.evidence;
  if (options.audio && result.verified && doc) {
    if (keys.length > 0) checks.push(await redetect(ctx, doc, at(options.audio), keys));
    else
      notes.push(
        'the audio check confirms the file hash only; re-running detection needs the ' +
          "organization's exported watermark key (--key)",
      );
  }
  const verified = checks.every((c) => c.ok);
  if (options.json) {
    println(ctx.io.stdout, JSON.stringify({ verified, checks, notes }, null, 2));
  } else {
    for (const c of checks)
      println(ctx.io.stdout, `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    for (const n of notes) println(ctx.io.stdout, `note  ${n}`);
    if (verified && doc) {
      for (const m of doc.matches) {
        const s = m.subject;
        println(
          ctx.io.stdout,
          `names ${s.kind} ${s.name}${s.email ? ` <${s.email}>` : ''}, payload ${m.detection.payload}, false-positive probability ${formatProbability(m.falsePositive.probability, m.falsePositive.log10Probability)}`,
        );
      }
    }
    println(ctx.io.stdout, verified ? 'verified' : 'NOT verified');
  }
  ctx.setExitCode(verified ? ExitCode.ok : ExitCode.negative);
}

/**
 * `vaultmark evidence verify BUNDLE [--public-key FILE] [--audio FILE] [--key FILE] [--json]`:
 * checks an evidence bundle offline (signature, audit anchor, found file). Exit 0 verified,
 * 1 not verified, 2 error.
 */
export const registerEvidence: RegisterCommand = (program: Command, ctx) => {
  const evidence = program
    .command('evidence')
    .description('check the signed evidence bundles of leak investigations');
  evidence
    .command('verify')
    .description('verify an evidence bundle offline (exit 0 verified, 1 not verified)')
    .option('--public-key <file>', "the organization's published public key (PEM)")
    .option('--audio <file>', 'the found audio: its SHA-256 must be the investigated file’s')
    .option(
      '--key <keyfile>',
      'an exported watermark key of the organization: re-run detection in --audio (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--json', 'print the checks as JSON')
    .argument('<bundle>', 'the evidence bundle (JSON, or the evidence PDF it is attached to)')
    .action((file: string, options: VerifyOptions) => verifyCommand(ctx, file, options));
};
