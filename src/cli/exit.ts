// The exit statuses of every amxstate command, in one place so that they stay distinct, and the
// error a command throws for bad input.

export const EXIT = {
  ok: 0,
  /** A verdict or a state count differs from machines/manifest.json; conform: the kernel diverges. */
  mismatch: 1,
  /** Bad arguments or a bad scenario: one line on stderr says which. */
  badInput: 2,
  /** This machine cannot do it (no renderer, no C compiler, no AMX for exec-leak). */
  unsupported: 3,
  /** check stopped at --max-states, --max-memory or node's heap limit with nothing differing so far: nothing is proven either. */
  incomplete: 4,
  /** Standard output could not be written (a full disk, a closed file); a closed pipe ends quietly. */
  outputFailed: 5,
} as const;

/** Bad input to a command: main prints its message as one line and exits with EXIT.badInput. */
export class UsageError extends Error {}
