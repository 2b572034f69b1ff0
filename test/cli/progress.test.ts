// The progress reporter on its own, with a stand-in for standard error and a clock the test moves:
// a self-rewriting line on a terminal, plain lines at a modest rate elsewhere, nothing with --quiet.

import { describe, expect, it } from 'vitest';
import { LINE_INTERVAL_MS, Progress, QUIET_OPTION, TTY_INTERVAL_MS, formatSeconds, withProgressSync } from '../../src/cli/progress.js';
import { COMMANDS } from '../../src/cli/program.js';

function stand(isTTY: boolean, columns = 80) {
  const written: string[] = [];
  let t = 0;
  return {
    written,
    stream: { isTTY, columns, write: (s: string) => written.push(s) },
    now: () => t,
    advance: (ms: number) => (t += ms),
  };
}

describe('progress where standard error is not a terminal', () => {
  it('writes a plain line every 5 s at most while a phase runs, and one line when it ends', () => {
    const s = stand(false);
    const p = new Progress('check', { stream: s.stream, now: s.now });
    p.update('linux: 100 states, depth 3');
    s.advance(LINE_INTERVAL_MS - 1);
    p.update('linux: 200 states, depth 4');
    expect(s.written).toEqual([]);
    s.advance(1);
    p.update('linux: 300 states, depth 5');
    s.advance(1000);
    p.update('linux: 400 states, depth 6');
    expect(s.written).toEqual(['amxstate check: linux: 300 states, depth 5 (5.00 s)\n']);
    p.done('linux: 10892 states in 6.00 s');
    // The next phase starts now: its first line comes 5 s into it.
    s.advance(LINE_INTERVAL_MS - 1);
    p.update('no-xfd: 5 states, depth 1');
    p.end();
    expect(s.written).toEqual(['amxstate check: linux: 300 states, depth 5 (5.00 s)\n', 'amxstate check: linux: 10892 states in 6.00 s\n']);
    for (const line of s.written) expect(line).not.toMatch(/[\r\x1b]/);
  });

  it('elapsed() is the time since the phase began', () => {
    const s = stand(false);
    const p = new Progress('paths', { stream: s.stream, now: s.now });
    s.advance(1500);
    expect(p.elapsed()).toBe(1500);
    p.done('one');
    s.advance(250);
    expect(p.elapsed()).toBe(250);
  });
});

describe('progress on a terminal', () => {
  it('rewrites one line in place, at most every 100 ms, and clears it at the end of a phase and of the run', () => {
    const s = stand(true);
    const p = new Progress('report', { stream: s.stream, now: s.now });
    p.update('checking linux: 1 states, depth 0');
    p.update('checking linux: 2 states, depth 1');
    s.advance(TTY_INTERVAL_MS);
    p.update('checking linux: 3 states, depth 2');
    expect(s.written).toEqual(['\ramxstate report: checking linux: 1 states, depth 0\x1b[K', '\ramxstate report: checking linux: 3 states, depth 2\x1b[K']);
    p.done('checked linux');
    expect(s.written.at(-1)).toBe('\r\x1b[K');
    // The next phase draws at once; end() clears it, and a second end() writes nothing.
    p.update('drawing');
    p.end();
    p.end();
    expect(s.written.slice(-2)).toEqual(['\ramxstate report: drawing\x1b[K', '\r\x1b[K']);
    expect(s.written.join('')).not.toContain('\n');
  });

  it('cuts a line to the terminal width and shows control characters as ?', () => {
    const s = stand(true, 30);
    const p = new Progress('conform', { stream: s.stream, now: s.now });
    p.update('scenario 1 of 2: \x1b[31mred\x1b[0m and a long name that does not fit');
    const line = s.written[0]!;
    expect(line.startsWith('\r')).toBe(true);
    expect(line.endsWith('\x1b[K')).toBe(true);
    const shown = line.slice(1, -3);
    expect(shown.length).toBe(29);
    expect(shown).not.toContain('\x1b');
    const wide = stand(true, 200);
    new Progress('conform', { stream: wide.stream, now: wide.now }).update('scenario 1 of 2: \x1b[31mred\x1b[0m');
    expect(wide.written).toEqual(['\ramxstate conform: scenario 1 of 2: ?[31mred?[0m\x1b[K']);
  });
});

describe('--quiet', () => {
  it('writes nothing at all, on a terminal or not', () => {
    for (const tty of [true, false]) {
      const s = stand(tty);
      const p = new Progress('check', { quiet: true, stream: s.stream, now: s.now });
      p.update('a');
      s.advance(60_000);
      p.update('b');
      p.done('c');
      p.end();
      expect(s.written).toEqual([]);
    }
  });

  it('is declared by every command that reports progress, so that --help shows it', () => {
    for (const name of ['check', 'paths', 'report', 'conform', 'diagram', 'exec-leak']) {
      const c = COMMANDS.find((x) => x.name === name);
      expect(c?.options, name).toContain(QUIET_OPTION);
    }
  });
});

describe('helpers', () => {
  it('formatSeconds keeps short times precise and long ones short', () => {
    expect([formatSeconds(420), formatSeconds(12_345), formatSeconds(107_400)]).toEqual(['0.42 s', '12.3 s', '107 s']);
  });

  it('withProgressSync clears the terminal line when the work throws', () => {
    const written: string[] = [];
    const stderr = process.stderr;
    const fake = { isTTY: true, columns: 80, write: (s: string) => written.push(s) };
    Object.defineProperty(process, 'stderr', { value: fake, configurable: true });
    try {
      expect(() =>
        withProgressSync('check', false, (p) => {
          p.update('working');
          throw new Error('boom');
        }),
      ).toThrow('boom');
    } finally {
      Object.defineProperty(process, 'stderr', { value: stderr, configurable: true });
    }
    expect(written).toEqual(['\ramxstate check: working\x1b[K', '\r\x1b[K']);
  });
});
