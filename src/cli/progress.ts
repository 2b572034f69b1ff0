// Progress on standard error, the same for every command that can run for more than a moment (check,
// paths, report, conform, diagram --coverage, exec-leak). Never on standard output, so that what a
// command prints there stays the same from run to run.
//
// On a terminal: one line that rewrites itself (at most every TTY_INTERVAL_MS), cleared when the
// command is done. Elsewhere (a pipe, a file, CI): a plain line every LINE_INTERVAL_MS while a phase
// runs, and one line when a phase (a variant, a suite, a measurement) ends. --quiet: nothing at all.
//
// Every line reads `amxstate <command>: <what>`. The work calls update() as often as it likes: the
// clock decides what is written, so callers need no timers (and none keeps the process alive).

import type { OptionSpec } from './command.js';
import type { Found } from '../check/pool.js';

/** Where progress goes: process.stderr, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** --quiet: write nothing. */
  readonly quiet?: boolean;
  /** Standard error unless given. */
  readonly stream?: ProgressStream;
  /** Milliseconds, performance.now() unless given (tests pass their own clock). */
  readonly now?: () => number;
}

/** A terminal line is redrawn at most this often. */
export const TTY_INTERVAL_MS = 100;
/** Elsewhere, a line while a phase runs at most this often. */
export const LINE_INTERVAL_MS = 5000;

/** The --quiet option, declared alike by every command that reports progress. */
export const QUIET_OPTION: OptionSpec = {
  flags: '--quiet',
  description: 'no progress on standard error (on a terminal a self-rewriting line; otherwise a line every 5 s and one per finished phase)',
  default: false,
};

/** Control characters (from a scenario id, say) would move the cursor or recolour the terminal: shown as `?`. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Seconds as progress shows them: `0.42 s`, `12.3 s`, `107 s`. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(2)} s` : s < 100 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

export class Progress {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly quiet: boolean;
  private phaseStarted: number;
  private lastWrite: number;
  /** Whether a terminal line is showing (and must be cleared before anything else is written). */
  private showing = false;

  constructor(
    private readonly command: string,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.quiet = options.quiet === true;
    this.phaseStarted = this.now();
    // The first plain line comes LINE_INTERVAL_MS into the run; the first terminal line at once.
    this.lastWrite = this.tty ? Number.NEGATIVE_INFINITY : this.phaseStarted;
  }

  /** Milliseconds since the current phase began (since the last done(), or since the start). */
  elapsed(): number {
    return this.now() - this.phaseStarted;
  }

  /** Where the current phase stands: redrawn on a terminal, a plain line every LINE_INTERVAL_MS elsewhere. */
  update(text: string): void {
    if (this.quiet) return;
    const now = this.now();
    if (now - this.lastWrite < (this.tty ? TTY_INTERVAL_MS : LINE_INTERVAL_MS)) return;
    this.lastWrite = now;
    if (this.tty) this.draw(text);
    else this.stream.write(`amxstate ${this.command}: ${printable(text)} (${formatSeconds(now - this.phaseStarted)})\n`);
  }

  /** A phase ended: one line elsewhere (`text` should say what it did); on a terminal the line is cleared. The next phase starts now. */
  done(text: string): void {
    const now = this.now();
    this.phaseStarted = now;
    if (this.quiet) return;
    if (this.tty) {
      this.end();
      this.lastWrite = Number.NEGATIVE_INFINITY;
    } else {
      this.stream.write(`amxstate ${this.command}: ${printable(text)}\n`);
      this.lastWrite = now;
    }
  }

  /** Clears the terminal line, so that output or an error message starts on a clean line. Call it when the work is over, also on failure. */
  end(): void {
    if (this.showing) this.stream.write('\r\x1b[K');
    this.showing = false;
  }

  /** An explorer's onProgress for one labelled search: `<label>: N states, depth D` (a view search finds views). */
  explorer(label: string, found: Found = 'states'): (states: number, depth: number) => void {
    return (states, depth) => this.update(`${label}: ${states} ${found}, depth ${depth}`);
  }

  private draw(text: string): void {
    const line = `amxstate ${this.command}: ${printable(text)}`;
    // A terminal that does not say its width (0, as under script(1)) is taken as 80 columns.
    const columns = this.stream.columns;
    const width = (columns !== undefined && columns >= 20 ? columns : 80) - 1;
    this.stream.write(`\r${line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line}\x1b[K`);
    this.showing = true;
  }
}

/** Runs `work` with a progress reporter, clearing its terminal line however the work ends. */
export async function withProgress<T>(command: string, quiet: boolean | undefined, work: (p: Progress) => T | Promise<T>): Promise<T> {
  const p = new Progress(command, { quiet: quiet === true });
  try {
    return await work(p);
  } finally {
    p.end();
  }
}

/** The synchronous twin of withProgress. */
export function withProgressSync<T>(command: string, quiet: boolean | undefined, work: (p: Progress) => T): T {
  const p = new Progress(command, { quiet: quiet === true });
  try {
    return work(p);
  } finally {
    p.end();
  }
}
