// Temporal properties: the endless refault as a lasso. The expected behaviour comes from the kernel:
// a SIGILL handler that returns leaves the instruction to run again (observed 2d: the handler ran
// 1,000,000 times; no-amx N14, N15), and a tile instruction without a tile configuration is #UD
// whatever the permission (observed 2h; Intel SDM), so a handler that only requests permission
// never ends that refault.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { buildVariants, VARIANT_NAMES } from '../../machines/variants.js';
import { counterexample } from '../../src/check/check.js';
import { firstViolation } from '../../src/check/replay.js';
import { canonicalKey } from '../../src/explore/canonical.js';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { cycleOf } from '../../src/explore/lasso.js';
import { SystemModel } from '../../src/model/system.js';
import { propertyByName } from '../../src/properties/catalogue.js';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';

const NAME = 'FaultingInstructionEventuallyCompletes';
const property = propertyByName(NAME)!;
const lazy = CONFIGS['lazy']!;

describe('FaultingInstructionEventuallyCompletes', () => {
  it('is a property "eventually", with its fairness stated', () => {
    expect(property.kind).toBe('eventually');
    if (property.kind === 'eventually') expect(property.fairness).toMatch(/weak fairness/);
  });

  it('is violated on linux by a lasso: a prefix to the refault, then the same instruction forever', () => {
    const model = modelFor('linux');
    const v = explore(model, lazy, { properties: [property] }).violations.get(NAME);
    expect(v?.cycle).toBeDefined();
    const cycle = v!.cycle!;
    // The prefix's last step is the instruction that started the refault: a SIGILL met by the handler, a hang.
    expect(v!.observation).toMatchObject({ outcome: 'SIGILL', handler: 'request-permission', hang: true, fatal: false });
    // The cycle is that instruction again, by the same task, and it leads back to the same state.
    const last = v!.steps.at(-1)!;
    expect(cycle.map((s) => [s.task, s.op])).toEqual([[last.task, last.op]]);
    let state = model.initial('main');
    for (const s of v!.steps) state = (model.next(state, s) as { state: typeof state }).state;
    const before = canonicalKey(model, state, 0);
    for (const s of cycle) state = (model.next(state, s) as { state: typeof state }).state;
    expect(canonicalKey(model, state, 0)).toBe(before);
  });

  it('prints as a scenario that simulate replays, the cycle reported as a hang again, and replay finds its first bad step', () => {
    const model = modelFor('linux');
    const v = explore(model, lazy, { properties: [property] }).violations.get(NAME)!;
    const file = counterexample('linux', property, v);
    expect(file.header.loopsFrom).toBe(v.steps.length + 1);
    const scenario = toScenario(JSON.parse(JSON.stringify(file)));
    const { observations } = simulate(scenario, model);
    expect(observations.slice(v.steps.length).every((o) => o.hang === true)).toBe(true);
    expect(firstViolation(model, scenario, property)).toBe(v.steps.length);
  });

  it('is violated in every variant: none of the 2021 designs changes what a returning handler does', () => {
    for (const variant of VARIANT_NAMES) expect(explore(modelFor(variant), lazy, { properties: [property] }).violations.has(NAME), variant).toBe(true);
  });

  it('holds where the retried instruction cannot fault again (no #UD without a configuration, no ENOSPC)', () => {
    const v = buildVariants(DEFAULT_PLATFORM).linux;
    const never = () => false;
    const model = new SystemModel(
      { ...v, task: v.task.provide({ guards: { touchIsInvalidOpcode: never } }), process: v.process.provide({ guards: { someThreadHasSmallAltstack: never } }) },
      DEFAULT_PLATFORM,
    );
    const r = explore(model, lazy, { properties: [property] });
    expect(r.stats.complete).toBe(true);
    expect(r.violations.has(NAME)).toBe(false);
  });

  it('finds no cycle once the obligation is met: the search keeps the obligation open on every state of it', () => {
    const model = modelFor('linux');
    const steps = toScenario({ steps: [{ task: 'main', op: 'SET_DISPOSITION', signal: 'SIGILL', handler: 'request-permission' }, { task: 'main', op: 'TOUCH' }] }).steps;
    let state = model.initial('main');
    for (const s of steps) state = (model.next(state, s) as { state: typeof state }).state;
    const node = { state, execs: 0, nextId: 1 };
    expect(cycleOf(model, lazy, node, 'main', () => true)?.map((s) => s.op)).toEqual(['TOUCH']);
    expect(cycleOf(model, lazy, node, 'main', () => false)).toBeUndefined();
  });
});
