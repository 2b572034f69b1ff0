// Dispositions across exec: flush_signal_handlers() (kernel/signal.c) resets every handler to
// SIG_DFL but leaves SIG_IGN, so an ignored fault signal stays ignored in the new program, and a
// forced one still kills there (force_sig_info_to_task resets it to the default action; row 2g).

import { describe, expect, it } from 'vitest';
import { parseStep } from '../../src/scenario/format.js';
import { sigillHandler, sigsegvHandler, type SystemState } from '../../src/model/state.js';
import { modelFor } from '../../src/simulate/simulate.js';

function after(steps: readonly Record<string, unknown>[]): SystemState {
  const model = modelFor('linux');
  let s = model.initial('main');
  for (const [i, json] of steps.entries()) {
    const r = model.next(s, parseStep(json, i + 1));
    if (!r.ok) throw new Error(r.error);
    s = r.state;
  }
  return s;
}

const set = (signal: string, handler: string) => ({ task: 'main', op: 'SET_DISPOSITION', signal, handler });
const EXEC = { task: 'main', op: 'EXEC' };

describe('exec and the fault dispositions', () => {
  it('keeps SIG_IGN for SIGILL and SIGSEGV', () => {
    const p = after([set('SIGILL', 'ignore'), set('SIGSEGV', 'ignore'), EXEC]).processes[0]!.snapshot;
    expect([sigillHandler(p), sigsegvHandler(p)]).toEqual(['ignore', 'ignore']);
  });

  it('resets a handler to the default action', () => {
    const p = after([set('SIGILL', 'request-permission'), set('SIGSEGV', 'skip'), EXEC]).processes[0]!.snapshot;
    expect([sigillHandler(p), sigsegvHandler(p)]).toEqual(['default', 'default']);
  });
});
