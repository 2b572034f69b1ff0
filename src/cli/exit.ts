// The exit statuses of every amxstate command, in one place so that they stay distinct.

export const EXIT = {
  ok: 0,
  /** A verdict or a state count differs from machines/manifest.json. */
  mismatch: 1,
  /** Bad arguments or a bad scenario: one line on stderr says which. */
  badInput: 2,
  /** This machine cannot do it (no renderer, no AMX). */
  unsupported: 3,
  /** check stopped at --max-states with nothing differing so far: nothing is proven either. */
  incomplete: 4,
} as const;
