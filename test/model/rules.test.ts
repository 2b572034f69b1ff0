// The kernel rules against what they do: every chart event a step sends is one the rules of its op
// claim in the composition picture (so the picture and docs/model.md's routing table, both drawn from
// src/model/rules.ts, say what runs), and the op table's derived facts hold when steps run.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { OPS, opSpec } from '../../machines/kernel-events.js';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';
import { COMPOSITION_RULES } from '../../src/diagram/system.js';
import type { SystemState } from '../../src/model/state.js';
import { parseStep } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { litmusFiles } from '../support/litmus.js';
import type { RawStep } from '../support/scenario.js';
import { scenarioArb } from '../support/steps.js';

const claimed = new Map<string, Set<string>>();
for (const r of COMPOSITION_RULES) for (const op of r.ops) for (const s of r.sends) claimed.set(op, (claimed.get(op) ?? new Set()).add(`${s.chart} ${s.event}`));

/** Runs the steps leniently (a refused step is skipped) and returns, per op, the chart events its steps sent. */
function sentEvents(steps: readonly RawStep[], variant: VariantName): Map<string, Set<string>> {
  const model = modelFor(variant);
  let state: SystemState = model.initial('main');
  const sent = new Map<string, Set<string>>();
  steps.forEach((raw, i) => {
    const r = model.next(state, parseStep(raw, i + 1));
    if (!r.ok) return;
    state = r.state;
    const events = sent.get(String(raw['op'])) ?? new Set<string>();
    for (const t of r.trace) if ('event' in t.origin) events.add(`${t.chart} ${t.origin.event.type}`);
    sent.set(String(raw['op']), events);
  });
  return sent;
}

function expectClaimed(sent: Map<string, Set<string>>): void {
  for (const [op, events] of sent) for (const e of events) expect(claimed.get(op)?.has(e), `${op} sends ${e}, which no rule of it claims`).toBe(true);
}

describe('the kernel rules', () => {
  it('send, for every litmus scenario, only the chart events the picture claims for the op', () => {
    for (const f of litmusFiles()) expectClaimed(sentEvents(f.steps, 'linux'));
  });

  test.prop([scenarioArb({ prealloc: true })], { numRuns: 300 })('send, for random scenarios, only the chart events the picture claims', (steps) => {
    expectClaimed(sentEvents(steps, 'prealloc-syscall'));
    expectClaimed(sentEvents(steps.filter((s) => s['op'] !== 'PREALLOC'), 'linux'));
  });

  it("send, for a request-permission handler's fault, exactly the handler, the request, the grant to every thread and the retry", () => {
    const steps: RawStep[] = [
      { task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'request-permission' },
      { task: 'main', op: 'CLONE_THREAD', child: 'a' },
      { task: 'main', op: 'LDTILECFG' },
      { task: 'main', op: 'TOUCH' },
    ];
    const sent = sentEvents(steps, 'linux').get('TOUCH');
    expect([...(sent ?? [])].sort()).toEqual(['process REQ_PERM', 'task PERMISSION_GRANTED', 'task SIGNAL', 'task SIGRETURN', 'task TOUCH']);
  });
});

describe('the op table', () => {
  it('gives every op explorer choices that parse as steps of it', () => {
    for (const spec of OPS)
      for (const fields of spec.explore) {
        const raw = { op: spec.op, ...(spec.scope !== 'system' ? { task: 'main' } : {}), ...(spec.creates ? { child: 'c' } : {}), ...fields };
        expect(parseStep(raw, 1).op, spec.op).toBe(spec.op);
      }
  });

  it('marks as queries only ops whose steps never change the state, on random scenarios', () => {
    fc.assert(
      fc.property(scenarioArb(), (steps) => {
        const model = modelFor('linux');
        let state: SystemState = model.initial('main');
        steps.forEach((raw, i) => {
          const step = parseStep(raw, i + 1);
          const r = model.next(state, step);
          if (!r.ok) return;
          if (opSpec(step.op)?.query) expect(r.state, step.op).toEqual(state);
          state = r.state;
        });
      }),
      { numRuns: 200 },
    );
  });

  it('has an op only in the variants it lists: a step of it runs there and is refused elsewhere', () => {
    for (const spec of OPS.filter((o) => o.onlyIn !== undefined)) {
      const raw = { op: spec.op, ...(spec.scope !== 'system' ? { task: 'main' } : {}), ...(spec.creates ? { child: 'c' } : {}), ...spec.explore[0] };
      for (const variant of VARIANT_NAMES) {
        const model = modelFor(variant);
        expect(model.next(model.initial('main'), parseStep(raw, 1)).ok, `${variant} ${spec.op}`).toBe(spec.onlyIn!.includes(variant));
      }
    }
  });
});
