// What adding an op costs: a row of the op table, the chart's event and transition, and a test. In a
// scratch copy of machines/ and src/, an op whose route sends its event to the task chart fails to
// compile, naming the op, until the chart takes that event; then everything compiles, nothing else
// touched. (tsc on the copy takes a few seconds, so this runs twice only.)

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/files.js';

const ROOT = projectRoot();
const scratch = mkdtempSync(join(tmpdir(), 'amxstate-new-op-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

cpSync(join(ROOT, 'machines'), join(scratch, 'machines'), { recursive: true });
cpSync(join(ROOT, 'src'), join(scratch, 'src'), { recursive: true });
symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
// ES modules, as the project's own package.json says.
cpSync(join(ROOT, 'package.json'), join(scratch, 'package.json'));
writeFileSync(
  join(scratch, 'tsconfig.json'),
  JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')), include: ['machines', 'src'] }),
);

/** Replaces `anchor` by `text` in one file of the scratch copy; fails when the anchor is gone. */
function edit(file: string, anchor: string, text: string): void {
  const path = join(scratch, file);
  const before = readFileSync(path, 'utf8');
  expect(before.includes(anchor), `${file} has ${anchor}`).toBe(true);
  writeFileSync(path, before.replace(anchor, text));
}

function compile(): { ok: boolean; output: string } {
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', scratch, '--noEmit'], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('adding an op', () => {
  it('is a compile error, naming the op, while the chart lacks its event; compiles once the chart takes it', () => {
    edit(
      'machines/kernel-events.ts',
      '  CLONE_THREAD: {',
      `  STTILECFG: {
    kernel: 'STTILECFG: store the tile configuration',
    scope: 'task',
    fields: {},
    route: 'taskEvent',
    shows: TILE_AND_BUFFER,
    query: true,
    explore: NONE,
    executor: { runs: 'never', why: 'a test op' },
  },
  CLONE_THREAD: {`,
    );
    const missing = compile();
    expect(missing.ok).toBe(false);
    expect(missing.output).toContain(`Type '"STTILECFG"' does not satisfy the constraint 'never'`);
    edit('machines/task-types.ts', "  | { type: 'CHECK_TILES' }", "  | { type: 'CHECK_TILES' }\n  | { type: 'STTILECFG' }");
    edit('machines/task.ts', "CHECK_TILES: { actions: 'reportOk' },", "CHECK_TILES: { actions: 'reportOk' },\n              STTILECFG: { actions: 'reportOk' },");
    expect(compile()).toEqual({ ok: true, output: '' });
  }, 120_000);
});
