// The search asks a step property made by judgedOn about the steps of its ops alone (property.ts):
// about every one of them, before and after another property's violation shrinks the lists, and its
// holds() is true on any other step without asking.

import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { judgedOn, type SafetyProperty, type Transition } from '../../src/explore/property.js';
import { modelFor } from '../../src/simulate/simulate.js';

function spy(name: string, ops: readonly string[] | undefined, asked: string[], verdict: (t: Transition) => boolean = () => true): SafetyProperty {
  const judge = (t: Transition) => {
    asked.push(t.step.op);
    return verdict(t);
  };
  return { name, claim: name, source: 'test', kind: 'step', ...(ops === undefined ? { holds: judge } : judgedOn(ops, judge)) };
}

describe('step properties judged on the steps of their ops', () => {
  it('are asked about every step of those ops and no other, while another property is found violated', () => {
    const touchesAndExits: string[] = [];
    const everyStep: string[] = [];
    const firstSignal: string[] = [];
    const taken: string[] = [];
    const r = explore(modelFor('linux'), CONFIGS['tiny']!, {
      properties: [
        spy('TouchesAndExits', ['TOUCH', 'EXIT'], touchesAndExits),
        spy('EveryStep', undefined, everyStep),
        // Broken by the first SIGNAL the search takes: the lists are made again without it.
        spy('NoSignal', ['SIGNAL'], firstSignal, () => false),
      ],
      onTransition: (t) => taken.push(t.step.op),
    });
    expect(r.stats.complete).toBe(true);
    expect([...r.violations.keys()]).toEqual(['NoSignal']);
    expect(firstSignal).toEqual(['SIGNAL']);
    expect(everyStep).toEqual(taken);
    expect(touchesAndExits).toEqual(taken.filter((op) => op === 'TOUCH' || op === 'EXIT'));
    expect(new Set(touchesAndExits)).toEqual(new Set(['TOUCH', 'EXIT']));
  });

  it('hold on a step of any other op without asking', () => {
    const asked: string[] = [];
    const p = spy('Never', ['TOUCH'], asked, () => false);
    const model = modelFor('linux');
    const before = model.initial('main');
    const step = { op: 'CONTEXT_SWITCH', task: 'main', fields: {} };
    const r = model.next(before, step);
    if (!r.ok) throw new Error(r.error);
    expect(p.holds({ before, step, observation: r.outcome, after: r.state, model })).toBe(true);
    expect(asked).toEqual([]);
  });
});
