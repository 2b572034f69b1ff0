// How the docs run `npx amxstate` and `node`: as the reader does after `npm install`, through the
// built `dist/` (the bin is dist/src/cli/main.js). dist/ is rebuilt first when any TypeScript source
// is newer than its output, so a check after editing src/ never reads an old build.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { Runner, RunResult } from './shell.js';

/** The folders tsconfig.json compiles into dist/. */
const SOURCES = ['machines', 'src', 'bench'];

/** The sources whose build in dist/ is missing or older than they are. */
export function staleBuild(root: string): string[] {
  const stale: string[] = [];
  for (const dir of SOURCES) {
    const full = join(root, dir);
    if (!existsSync(full)) continue;
    for (const e of readdirSync(full, { withFileTypes: true, recursive: true })) {
      if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) continue;
      const source = join(e.parentPath, e.name);
      const built = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) stale.push(relative(root, source));
    }
  }
  return stale;
}

/** Builds dist/ with tsc when staleBuild finds anything; throws when tsc fails. */
export function ensureBuilt(root: string, log: (line: string) => void): void {
  const stale = staleBuild(root);
  if (stale.length === 0) return;
  log(`docs: dist/ is older than ${stale[0]}${stale.length > 1 ? ` and ${stale.length - 1} more` : ''}; building it (tsc -p tsconfig.json)`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docs: tsc failed, so the console blocks cannot be run:\n${r.stdout}${r.stderr}`);
}

/** The environment of a run: this one without what would change a program's output or add a loader. */
function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR', 'COLUMNS', 'LINES']) delete env[name];
  return env;
}

function run(root: string, args: readonly string[], stdin: string): RunResult {
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    env: environment(),
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw new Error(`cannot run node ${args.join(' ')}: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? 128, ...(r.signal !== null ? { signal: r.signal } : {}) };
}

/** Runs amxstate from dist/ and node scripts in the project root. */
export function distRunner(root: string): Runner {
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  return {
    amxstate: (args, stdin) => run(root, [main, ...args], stdin),
    node: (args, stdin) => run(root, args, stdin),
  };
}

/**
 * Runs amxstate from its sources through tsx, without dist/: slower, but it never races a build of
 * dist/ (the tests use it while test/cli builds dist/). Node scripts run as in distRunner.
 */
export function sourceRunner(root: string): Runner {
  const main = join(root, 'src', 'cli', 'main.ts');
  return {
    amxstate: (args, stdin) => run(root, ['--import', 'tsx', main, ...args], stdin),
    node: (args, stdin) => run(root, args, stdin),
  };
}

/** What a command's output can depend on: the build, the data files it reads, the packages, Node. */
const INPUTS = ['dist', 'machines/manifest.json', 'scenarios', 'litmus', 'package-lock.json'];

function inputsDigest(root: string): string {
  const hash = createHash('sha256').update(process.version);
  for (const input of INPUTS) {
    const full = join(root, input);
    if (!existsSync(full)) continue;
    const files = statSync(full).isDirectory()
      ? readdirSync(full, { withFileTypes: true, recursive: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
          .sort()
      : [full];
    for (const f of files) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * The same runner, remembering each result by the command and the digest of everything its output
 * can depend on (node_modules/.cache/amxstate-docs): a second check of unchanged inputs runs nothing,
 * and any change to the build or the data runs every command again.
 */
export function memoisedRunner(root: string, inner: Runner): Runner {
  const digest = inputsDigest(root);
  const dir = join(root, 'node_modules', '.cache', 'amxstate-docs');
  const remember = (kind: 'amxstate' | 'node', args: readonly string[], stdin: string, runIt: () => RunResult): RunResult => {
    const key = createHash('sha256').update(digest).update(JSON.stringify([kind, args, stdin])).digest('hex');
    const file = join(dir, `${key}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    const result = runIt();
    // A run ended by a signal says nothing about the command: the next check runs it again.
    if (result.signal !== undefined) return result;
    mkdirSync(dir, { recursive: true });
    // Written aside, then renamed: a run that stops half-way leaves no half a result.
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(result));
    renameSync(`${file}.${process.pid}`, file);
    return result;
  };
  return {
    amxstate: (args, stdin) => remember('amxstate', args, stdin, () => inner.amxstate(args, stdin)),
    node: (args, stdin) => remember('node', args, stdin, () => inner.node(args, stdin)),
  };
}
