/**
 * The benchmark corpus: real music from Debian data packages, declared by package, file, hash and
 * licence. `buildCorpus` downloads the .deb files with `apt-get download` (no root needed, nothing
 * installed), extracts them with `dpkg-deb -x`, checks each file's SHA-256 and converts a clip to
 * 44.1 kHz stereo 32-bit float WAV in benchmarks/.cache/ (ignored by git: audio is never committed).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusEntry {
  id: string;
  /** Debian package and version the file comes from. */
  package: string;
  version: string;
  /** Path inside the package. */
  file: string;
  sha256: string;
  licence: string;
  /** Clip taken from the file for the attack matrix (s). */
  clipStart: number;
}

const ASC = 'usr/share/games/asc/music';
const ETR = 'usr/share/games/etr/music';
const ascLicence = 'GPL-2+ (Michael Kievernagel, 2002; see the package copyright file)';
const etrLicence = 'GPL-2+ (Extreme Tux Racer data; see the package copyright file)';

export const CORPUS: CorpusEntry[] = [
  {
    id: 'asc-frontiers',
    package: 'asc-music',
    version: '1.3-6',
    file: `${ASC}/frontiers.mp3`,
    sha256: 'a0b1f65897eb122c1748ba08d5a376029750a1b035bf0202ebbeb9fd0176fd28',
    licence: ascLicence,
    clipStart: 20,
  },
  {
    id: 'asc-machine-wars',
    package: 'asc-music',
    version: '1.3-6',
    file: `${ASC}/machine_wars.mp3`,
    sha256: 'e7b0337656a1dd9c4809bb9a620a015c1bc3898d7dde6ba2e2a0e7c0ce12313b',
    licence: ascLicence,
    clipStart: 20,
  },
  {
    id: 'asc-time-to-strike',
    package: 'asc-music',
    version: '1.3-6',
    file: `${ASC}/time_to_strike.mp3`,
    sha256: 'a330211d1a8ce1ab6ea19cc4a02e207a8cd4cede4f3946f9a0012c7d0523de54',
    licence: ascLicence,
    clipStart: 20,
  },
  {
    id: 'etr-start1',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/start1-jt.ogg`,
    sha256: 'a1487d880db00693792141cd4fdd2ee3a489ddd3b9da96b0e34ea81e0b516d82',
    licence: etrLicence,
    clipStart: 10,
  },
  {
    id: 'etr-race1',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/race1-jt.ogg`,
    sha256: '1597043297c086aa4c556b1a8c821344888b8e29b30614083a49eacac7b52106',
    licence: etrLicence,
    clipStart: 5,
  },
  {
    id: 'etr-credits1',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/credits1-cp.ogg`,
    sha256: '6a089f4318ffa9be759799f7908d3c8b9097ed3d2dd2d4a5e39825cdcef4e043',
    licence: etrLicence,
    clipStart: 20,
  },
  {
    id: 'etr-spunkyrace',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/spunkyrace-ks.ogg`,
    sha256: '1b448ebcde1200b85544b7e6daa17808d49593aad7bcd14c728f146678370cf5',
    licence: etrLicence,
    clipStart: 20,
  },
  {
    id: 'etr-freezingpoint',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/freezingpoint.ogg`,
    sha256: '3197b07979cd2d1b35eca882b1ffa61c436a31963277bd35339e083a38f3df35',
    licence: etrLicence,
    clipStart: 20,
  },
];

const FOF = 'usr/share/games/fretsonfire/data/songs';
const muldjordLicence =
  'CC-BY-SA-3.0 (El Senator / Muldjord, 2009; see the package copyright file)';
const sectoidLicence = 'Expat (Carlos Viola Iborra, 2006-2007; see the package copyright file)';

/**
 * Held-out clips: full-band rock and metal backing tracks (drums, bass, keyboards, some vocals) from
 * two other Debian packages, never used while choosing parameters; scored once after.
 */
export const HELD_OUT: CorpusEntry[] = [
  [
    'fof-armygeddon',
    'muldjord/armygeddon',
    '3912690dfdf264df3c0e6ce4057e1ef2617d159e3fe873172762ebe3b8a15dd2',
  ],
  [
    'fof-chaos-god',
    'muldjord/chaos_god',
    'e3ea47b66cfcacc853aa03e4dd5aa3262a73468b4a8aab240de9e00b13373127',
  ],
  [
    'fof-internal-degeneration',
    'muldjord/internal_degeneration',
    '37c8afa938c155af45645af94d61eebeba11e975b4c8be8f61a04a2f97e1327d',
  ],
  [
    'fof-mutilated-mime',
    'muldjord/mutilated_mime',
    '91e2197f397b9f072e3561166a28888d84284f8d1c7016a7b80fe9679565804f',
  ],
  [
    'fof-escape-from-chaosland',
    'sectoid/Escape from chaosland',
    'f6da011002059676d5bceddc0a135c2a1bfc6ad629ba1c052f8db440c044c710',
  ],
  [
    'fof-feelings',
    'sectoid/Feelings',
    '8f3b11be42b4caf1b277c62a46436f015a0bcc559ca53871899ada23c6837bf5',
  ],
  [
    'fof-metal-madness',
    'sectoid/Metal madness',
    '22d096855d628c1f892dd1770573f6de8bd5150c6db63f86c8c15386f9d4b4e6',
  ],
  [
    'fof-war-of-freedom',
    'sectoid/War of freedom',
    'b44e3c119d36cac6713940ff04e750c009b7c3636920414d9be72eeb0407d039',
  ],
].map(([id, dir, sha256]) => {
  const muldjord = (dir as string).startsWith('muldjord/');
  return {
    id: id as string,
    package: muldjord ? 'fretsonfire-songs-muldjord' : 'fretsonfire-songs-sectoid',
    version: muldjord ? '2.dfsg-2.1' : '1.dfsg-3.1',
    file: `${FOF}/${dir}/song.ogg`,
    sha256: sha256 as string,
    licence: muldjord ? muldjordLicence : sectoidLicence,
    clipStart: 40,
  };
});

const WESNOTH = 'usr/share/games/wesnoth/1.16/data/core/music';
const wesnothLicence = 'GPL-2+ (Battle for Wesnoth; see the package copyright file)';

/**
 * A second held-out set: orchestral and acoustic-instrument pieces (strings, winds, plucked
 * instruments, percussion; quiet passages and full tutti) from the soundtrack of Battle for
 * Wesnoth, never used while choosing parameters; scored once after (`--corpus=orchestral`).
 */
export const ORCHESTRAL: CorpusEntry[] = [
  ['traveling_minstrels', '3599c51b74373ec1f5fa04f8b20dcb90ef55360851cbbff4c23f06c87e0c1167', 40],
  ['elvish-theme', '2242cc00fb6bbc08cee5f0adc9b3366a6e8fad478ff873ccda8bde3b48010639', 40],
  ['knolls', 'f717fbf4ce4e883c927d991f5626649ac7e1be52b8b02dc79241980b646df1cc', 40],
  ['nunc_dimittis', 'e74c5dbb7f9499f00d7e4afc1570d1999f40f5784d0a96189751da540f053a48', 40],
  ['the_city_falls', 'f590080f05f59c5cf11016f038340fd199df5925a9ba189ba91011059999450b', 40],
  ['wanderer', '4e73e26738f34e1ffd19ae4e56e29e86f0c2af0daa876302d9aba1a55f8c92f4', 40],
  ['legends_of_the_north', '2537f55c654a6e52a7e25247a87e71077b6cba22aa92ab120b3eb9eeffdaf58f', 40],
  ['battle-epic', '1bb2806a9f93f04b188eefa09ee224c10a69117a1efcc1a5eac2208026dd741a', 20],
].map(([name, sha256, clipStart]) => ({
  id: `wesnoth-${(name as string).replaceAll('_', '-')}`,
  package: 'wesnoth-1.16-music',
  version: '1:1.16.9-1',
  file: `${WESNOTH}/${name}.ogg`,
  sha256: sha256 as string,
  licence: wesnothLicence,
  clipStart: clipStart as number,
}));

/** Extra unmarked tracks used only for false-positive windows (whole files). */
export const FP_EXTRA: CorpusEntry[] = [
  {
    id: 'etr-calmrace',
    package: 'extremetuxracer-data',
    version: '0.8.2-1',
    file: `${ETR}/calmrace-ks.ogg`,
    sha256: '511a8f8b453ea952ea0145104ad2ce1b4603b9155748ee57d165208297da5906',
    licence: etrLicence,
    clipStart: 0,
  },
];

export const CACHE = new URL('../.cache/watermark/', import.meta.url).pathname;

function extracted(entry: CorpusEntry): string {
  const root = join(CACHE, 'pkg', `${entry.package}_${entry.version}`);
  if (!existsSync(root)) {
    const debs = join(CACHE, 'debs');
    mkdirSync(debs, { recursive: true });
    // apt-get writes a version's epoch colon as %3a in the file name.
    const prefix = `${entry.package}_${entry.version.replace(':', '%3a')}_`;
    const have = readdirSync(debs).find((f) => f.startsWith(prefix));
    if (!have) {
      execFileSync('apt-get', ['download', `${entry.package}=${entry.version}`], {
        cwd: debs,
        stdio: 'inherit',
      });
    }
    const deb = readdirSync(debs).find((f) => f.startsWith(prefix));
    if (!deb)
      throw new Error(`apt-get download ${entry.package}=${entry.version} produced no file`);
    mkdirSync(root, { recursive: true });
    execFileSync('dpkg-deb', ['-x', join(debs, deb), root]);
  }
  const path = join(root, entry.file);
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (hash !== entry.sha256) throw new Error(`${entry.id}: SHA-256 mismatch (${hash})`);
  return path;
}

/** Path of the source file (downloaded and verified on first use). */
export function sourcePath(entry: CorpusEntry): string {
  return extracted(entry);
}

/**
 * Converts an entry (or `seconds` of it from `start`) to a 44.1 kHz stereo float WAV in the cache;
 * returns its path.
 */
export function clipWav(entry: CorpusEntry, start?: number, seconds?: number): string {
  const range = start === undefined ? 'full' : `${start}-${seconds}`;
  const out = join(CACHE, 'clips', `${entry.id}-${range}.wav`);
  if (!existsSync(out)) {
    mkdirSync(join(CACHE, 'clips'), { recursive: true });
    const cut = start === undefined ? [] : ['-ss', String(start), '-t', String(seconds)];
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', ...cut, '-i', extracted(entry)],
      ...['-ar', '44100', '-ac', '2', '-c:a', 'pcm_f32le', out],
    ]);
  }
  return out;
}

/** Whole file as a 44.1 kHz stereo float WAV. */
export function fullWav(entry: CorpusEntry): string {
  return clipWav(entry);
}
