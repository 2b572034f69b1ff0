// npm run bench:against as a user runs it (the built script, in a child process): its exit codes
// and one-line errors for bad arguments, and a run of this checkout against itself.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGAINST = join(ROOT, 'dist/bench/against.js');

function against(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [AGAINST, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench:against', () => {
  it.each([
    [[], /^bench:against: usage: npm run bench:against -- DIR \[STATES \[SEARCH\]\]/],
    [[ROOT, '100', '1x3', 'more'], /^bench:against: usage:/],
    [[ROOT, '100', '2x3'], /^bench:against: SEARCH must be one of 1x3, any-x-3, default, got "2x3"$/],
    [[ROOT, '0'], /^bench:against: STATES must be a decimal number, 1 or more, got "0"$/],
    [[ROOT, '1e3'], /^bench:against: STATES must be a decimal number, 1 or more, got "1e3"$/],
    [[join(ROOT, 'docs')], /^bench:against: .*docs\/dist\/src\/explore\/explore\.js does not exist: build that checkout first/],
  ])('exits 2 with one line for %j', (args, message) => {
    const r = against(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    [[], 'linux 1x3 core ops', 4],
    [['any-x-3'], 'linux any x 3 core ops and FORK, by units', 4],
    [['default'], 'linux default (1x2 core ops), the same model each round, its memo tables full', 16],
  ])('runs this checkout against itself (%j): the same search both ways, and the ratio', (search, words, rounds) => {
    const r = against([ROOT, '300', ...search]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`search     ${words}, every property, first 300 states, ${rounds} rounds each, taking turns in one process`);
    const cpu = `CPU( \\d+\\.\\d\\d){${rounds}} s$`;
    expect(lines[1]).toMatch(new RegExp(`^this checkout: 300 states, \\d+ transitions \\(\\d+ answered by the step table\\), ${cpu}`));
    expect(lines[2]).toMatch(new RegExp(`^/.*: 300 states, \\d+ transitions \\(\\d+ answered by the step table\\), ${cpu}`));
    const counts = (line: string) => line.slice(line.indexOf(': '), line.indexOf(' CPU'));
    expect(counts(lines[2]!)).toBe(counts(lines[1]!));
    expect(lines[3]).toMatch(/^this checkout takes \d+\.\d\d \(.* the fastest round of each\) of the other's CPU time$/);
  });

  it('keeps one model for the default search: its step table answers more than that of a new model on the same states', () => {
    const fresh = explore(modelFor('linux'), CONFIGS['default']!, { properties: PROPERTIES, maxStates: 300 });
    const r = against([ROOT, '300', 'default']);
    expect(r.status).toBe(0);
    const answered = /\((\d+) answered by the step table\)/.exec(r.stdout.split('\n')[1]!);
    expect(answered).not.toBeNull();
    expect(Number(answered![1])).toBeGreaterThan(fresh.fromTable);
  });
});
