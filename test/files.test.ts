// src/files.ts: makeParents when another process creates the same folders at the same time, and the
// checks that find a bad output path before the work that would fill it.

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputPathError, makeParents, prepareOutputDir, prepareOutputFile } from '../src/files.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKER = join(ROOT, 'test/support/make-parents-worker.ts');
const dir = mkdtempSync(join(tmpdir(), 'amxstate-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(run: () => void): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof OutputPathError) return e.code;
    return (e as NodeJS.ErrnoException).code ?? 'no code';
  }
  return undefined;
}

describe('makeParents, racing another process', () => {
  it('takes an EEXIST for a folder that another process has just made as success (the race simulated)', () => {
    const file = join(dir, 'sim/a/b/out.txt');
    const made: string[] = [];
    // The other process wins every race: each folder appears between the check and our mkdir.
    makeParents(file, (d) => {
      mkdirSync(d);
      made.push(d);
      mkdirSync(d);
    });
    expect(made).toEqual([join(dir, 'sim'), join(dir, 'sim/a'), join(dir, 'sim/a/b')]);
    expect(statSync(join(dir, 'sim/a/b')).isDirectory()).toBe(true);
  });

  it('still fails when what is there is a file, not a folder', () => {
    const file = join(dir, 'lost/out.txt');
    expect(
      codeOf(() =>
        makeParents(file, (d) => {
          writeFileSync(d, 'a file where the folder should be');
          mkdirSync(d);
        }),
      ),
    ).toBe('EEXIST');
  });

  it('six processes making the same new folders at the same moment all succeed', async () => {
    const root = join(dir, 'race');
    const start = Date.now() + 2500;
    const rounds = 30;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', WORKER, root, String(start), String(rounds)], { cwd: ROOT });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (code) => resolve({ code, stderr }));
        }),
    );
    const results = await Promise.all(runs);
    expect(results).toEqual(results.map(() => ({ code: 0, stderr: '' })));
    for (let r = 0; r < rounds; r++) expect(readdirSync(join(root, `r${r}/a/b/c/d`))).toHaveLength(6);
  }, 60_000);
});

describe('output paths are checked before the work', () => {
  it('prepareOutputFile creates the folders and accepts a new or writable file', () => {
    const file = join(dir, 'out/new/report.html');
    prepareOutputFile(file);
    expect(statSync(join(dir, 'out/new')).isDirectory()).toBe(true);
    writeFileSync(file, 'x');
    prepareOutputFile(file);
  });

  it('prepareOutputFile refuses an empty name, a directory, a folder under a file, and /proc', () => {
    writeFileSync(join(dir, 'plain'), 'x');
    expect(codeOf(() => prepareOutputFile(''))).toBe('empty file name');
    expect(codeOf(() => prepareOutputFile(dir))).toBe('EISDIR');
    expect(codeOf(() => prepareOutputFile(`${join(dir, 'somewhere')}/`))).toBe('EISDIR');
    expect(codeOf(() => prepareOutputFile(join(dir, 'plain/report.html')))).toBe('ENOTDIR');
    expect(codeOf(() => prepareOutputFile('/proc/amxstate/report.html'))).toBe('ENOENT');
  });

  it.skipIf(process.getuid?.() === 0)('prepareOutputFile refuses a folder it may not write in', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    try {
      expect(codeOf(() => prepareOutputFile(join(locked, 'report.html')))).toBe('EACCES');
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it('prepareOutputDir creates the folder, and refuses a file or an empty name', () => {
    prepareOutputDir(join(dir, 'suite/new'));
    expect(statSync(join(dir, 'suite/new')).isDirectory()).toBe(true);
    prepareOutputDir(join(dir, 'suite/new'));
    expect(codeOf(() => prepareOutputDir(join(dir, 'plain')))).toBe('ENOTDIR');
    expect(codeOf(() => prepareOutputDir(''))).toBe('empty folder name');
  });
});
