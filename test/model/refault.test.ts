// The endless SIGILL refault: a SIGILL handler that returns without skipping makes the same
// instruction fault again, forever (observed-linux-6.18.md row 2d; observed-no-amx-6.18.md N14, N15).
// The model runs the instruction once more after a request-permission handler returns; a second SIGILL
// is the endless loop: the observation says `hang`, and the task is stuck, alive, its one step the
// same instruction faulting again.

import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/explore/config.js';
import { canonicalKey } from '../../src/explore/canonical.js';
import { candidateSteps } from '../../src/explore/candidates.js';
import { instructionOf, type SystemState } from '../../src/model/state.js';
import { observationText } from '../../src/model/observation-text.js';
import { renderTable } from '../../src/cli/table.js';
import { parseStep, ScenarioError, toScenario, type StepValue } from '../../src/scenario/format.js';
import { modelFor, simulate } from '../../src/simulate/simulate.js';
import { expectRun, runLenient, runSteps, type RawStep } from '../support/scenario.js';
import { scenarioArb } from '../support/steps.js';

const step = (task: string, op: string, fields: Readonly<Record<string, StepValue>> = {}): RawStep => ({ task, op, ...fields });
const main = (op: string, fields?: Readonly<Record<string, StepValue>>): RawStep => step('main', op, fields);
const ASK = main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' });

// Bitmaps of the AMX machine (observed, row 1a).
const DEFAULT_PERM = '0x200e7';
const AMX_PERM = '0x600e7';

/** A thread w, main with a 4096-byte altstack and a request-permission handler, stuck on its first touch. */
const STUCK_MAIN: readonly RawStep[] = [main('CLONE_THREAD', { child: 'w' }), main('SIGALTSTACK', { size: 'small' }), ASK, main('LDTILECFG'), main('TOUCH')];

describe('the refault on the AMX machine (spr-linux-6.18)', () => {
  it('row 2d with 5a: the handler\'s request is ENOSPC (4096-byte altstack), so the touch faults forever; the thread is stuck', () => {
    const run = runSteps([...STUCK_MAIN, step('w', 'GET_PERM'), step('w', 'REQ_PERM', { feature: 18 })]);
    expectRun(run, {
      steps: [
        { step: 5, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission', hang: true, tiles: 'init', buffer: 'default', vmalloc: 0 },
        // Every round's request is refused, so the permission never changes.
        { step: 6, bitmap: DEFAULT_PERM },
        // 5b: every live thread's altstack counts, the stuck thread's too.
        { step: 7, outcome: 'ENOSPC' },
      ],
      alive: { main: true, w: true },
      stuck: { main: true, w: false },
    });
  });

  it('row 2e: with room for the permission (a large altstack) the retried touch runs: no hang', () => {
    const steps = [main('CLONE_THREAD', { child: 'w' }), main('SIGALTSTACK', { size: 'large' }), ASK, main('LDTILECFG'), main('TOUCH'), step('w', 'GET_PERM'), main('CHECK_TILES')];
    expectRun(runSteps(steps), {
      steps: [
        { step: 5, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission', hang: null, tiles: 'intact', buffer: 'large', vmalloc: 1 },
        { step: 6, bitmap: AMX_PERM },
        { step: 7, tiles: 'intact' },
      ],
      stuck: { main: false },
    });
  });

  it('row 2h with 2d: a touch with no tile config is #UD however the request goes, so it refaults forever (the request itself was granted)', () => {
    const steps = [main('CLONE_THREAD', { child: 'w' }), ASK, main('TOUCH'), step('w', 'GET_PERM')];
    expectRun(runSteps(steps), {
      steps: [
        { step: 3, outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: false, handler: 'request-permission', hang: true, tiles: 'init', buffer: 'default', vmalloc: 0 },
        // 1a: the handler's REQ_PERM(18) with no altstack succeeds; only the instruction keeps failing.
        { step: 4, bitmap: AMX_PERM },
      ],
      stuck: { main: true },
    });
  });

  it('a skipping handler never hangs (row 2c)', () => {
    const steps = [main('SIGALTSTACK', { size: 'small' }), main('SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }), main('TOUCH'), main('LDTILECFG'), main('TOUCH'), main('GET_PERM')];
    expectRun(runSteps(steps), {
      steps: [
        { step: 3, outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: false, handler: 'skip', hang: null },
        { step: 5, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'skip', hang: null },
        { step: 6, bitmap: DEFAULT_PERM },
      ],
      stuck: { main: false },
    });
  });

  it('E10 with 2e: a retried first touch that finds no memory is the SIGSEGV of its own disposition, not a hang', () => {
    const base = [ASK, main('LDTILECFG'), { op: 'OOM_BEGIN' }];
    expectRun(runSteps([...base, main('TOUCH')]), {
      steps: [{ step: 4, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: true, handler: null, hang: null }],
      alive: { main: false },
    });
    expectRun(runSteps([main('SET_DISPOSITION', { signal: 'SIGSEGV', handler: 'skip' }), ...base, main('TOUCH')]), {
      steps: [{ step: 5, outcome: 'SIGSEGV', si_code: 'SI_KERNEL', fatal: false, handler: 'skip', hang: null, buffer: 'default' }],
      alive: { main: true },
      stuck: { main: false },
    });
  });
});

describe('the hang field in words and in the table', () => {
  it('reads "hang (endless refault)" in sequence diagrams and the report, and "yes" in a hang column that only a hang shows', () => {
    const run = runSteps(STUCK_MAIN);
    const hung = run.observations.at(-1)!;
    expect(observationText(hung)).toBe('SIGILL (ILL_ILLOPC), handler request-permission, hang (endless refault), tiles init, buffer default');
    const header = renderTable(run.observations).split('\n')[0]!;
    expect(header.split(/\s+/)).toContain('hang');
    expect(renderTable(run.observations.slice(0, -1)).split('\n')[0]!.split(/\s+/)).not.toContain('hang');
  });
});

describe('a stuck task', () => {
  it('takes no other step: a step that names it is an input error naming the task and its instruction', () => {
    const scenario = toScenario({ steps: [...STUCK_MAIN, main('GET_PERM')] });
    let error: unknown;
    try {
      simulate(scenario);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).message).toBe('step 6: field "task": task "main" is stuck in an endless SIGILL refault on TOUCH: that is the only step it takes');
    expect((error as ScenarioError).field).toBe('task');
    expect((error as ScenarioError).step).toBe(6);
  });

  it('retries its instruction as its one step: it faults again, the same hang, and nothing changes (the refault is a cycle)', () => {
    const model = modelFor('linux');
    const scenario = toScenario({ steps: [...STUCK_MAIN, main('TOUCH'), main('TOUCH')] });
    const { observations, finalState } = simulate(scenario, model);
    const once = simulate(toScenario({ steps: STUCK_MAIN }), model);
    const { step: _n, ...hang } = once.observations[4]!;
    expect(observations.slice(5).map(({ step: _m, ...o }) => o)).toEqual([hang, hang]);
    expect(canonicalKey(model, finalState, 0)).toBe(canonicalKey(model, once.finalState, 0));
  });

  it('runs on once another thread gives SIGILL a skipping handler: the retry is skipped, and the task takes other steps again', () => {
    const steps = [...STUCK_MAIN, step('w', 'SET_DISPOSITION', { signal: 'SIGILL', handler: 'skip' }), main('TOUCH'), main('GET_PERM')];
    const run = runSteps(steps);
    expectRun(run, {
      steps: [
        { step: 5, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission', hang: true },
        { step: 7, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'skip' },
        { step: 8, outcome: 'ok' },
      ],
      alive: { main: true, w: true },
      stuck: { main: false },
    });
    expect(run.observations[6]?.hang).toBeUndefined();
  });

  it('is killed by another thread\'s exec (de_thread), which then runs free of it', () => {
    const run = runSteps([...STUCK_MAIN, step('w', 'EXEC'), step('w', 'REQ_PERM', { feature: 18 })]);
    expectRun(run, { steps: [{ step: 5, hang: true, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission' }, { step: 7, outcome: 'ok' }], alive: { main: false, w: true } });
  });

  it('dies with its process when another thread takes a fatal signal', () => {
    const run = runSteps([...STUCK_MAIN, step('w', 'SET_DISPOSITION', { signal: 'SIGILL', handler: 'default' }), step('w', 'TOUCH')]);
    expectRun(run, {
      steps: [
        { step: 5, hang: true, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission' },
        // w was created before main's LDTILECFG, so it has no tile config: #UD (2h), now with the default action (2b).
        { step: 7, outcome: 'SIGILL', si_code: 'ILL_ILLOPN', fatal: true },
      ],
      alive: { main: false, w: false },
    });
  });

  it('keeps its process alive: a vfork parent waits while its child is stuck', () => {
    const steps = [main('VFORK', { child: 'c' }), step('c', 'SIGALTSTACK', { size: 'small' }), step('c', 'SET_DISPOSITION', { signal: 'SIGILL', handler: 'request-permission' }), step('c', 'LDTILECFG'), step('c', 'TOUCH')];
    const run = runSteps(steps);
    expectRun(run, { steps: [{ step: 5, hang: true, outcome: 'SIGILL', si_code: 'ILL_ILLOPC', fatal: false, handler: 'request-permission' }], alive: { main: true, c: true }, stuck: { c: true } });
    expect(() => simulate(toScenario({ steps: [...steps, main('GET_PERM')] }))).toThrow(/task "main" is suspended in vfork/);
  });

  it('is offered by the explorer only its instruction, and counts in the canonical key', () => {
    const model = modelFor('linux');
    const scenario = toScenario({ steps: STUCK_MAIN });
    let state: SystemState = model.initial('main');
    scenario.steps.forEach((s, i) => {
      const r = model.step(state, s, i + 1);
      if (!r.ok) throw new Error(r.error);
      state = r.state;
    });
    const stuck = state.processes[0]!.tasks.find((t) => t.name === 'main')!;
    expect(stuck.stuckOn?.op).toBe('TOUCH');
    const candidates = candidateSteps(model, CONFIGS['default']!, { state, execs: 0, nextId: 2 });
    expect(candidates.filter((c) => c.task === 'main')).toEqual([{ op: 'TOUCH', task: 'main', fields: {} }]);
    expect(candidates.some((c) => c.task === 'w')).toBe(true);
    const unstuck: SystemState = { ...state, processes: [{ ...state.processes[0]!, tasks: state.processes[0]!.tasks.map((t) => ({ ...t, stuckOn: null })) }] };
    expect(canonicalKey(model, unstuck, 0)).not.toBe(canonicalKey(model, state, 0));
  });
});

describe('generated scenarios', () => {
  fcTest.prop([scenarioArb()], { numRuns: 200 })(
    'a hang is a SIGILL met by a request-permission handler, and its task takes no step after it but the same instruction, which hangs again and changes nothing',
    (steps) => {
      const run = runLenient(steps, 'linux');
      const stuckOn = new Map<string, string>();
      let last: SystemState | undefined;
      /** The state each stuck task's latest hang left. */
      const hungAt = new Map<string, SystemState>();
      run.forEach((s, i) => {
        const name = steps[i]!['task'];
        if (!s.ok) return;
        const instruction = instructionOf(parseStep(steps[i], i + 1)).key;
        if (typeof name === 'string' && stuckOn.has(name)) {
          expect(instruction, `step ${i + 1} names stuck ${name}`).toBe(stuckOn.get(name));
          // From the state its hang left, the retry refaults again and changes nothing (a self-loop).
          // Other threads may have changed what the retry meets since (the disposition, an altstack).
          if (last === hungAt.get(name)) {
            expect(s.observation.hang, `step ${i + 1} refaults`).toBe(true);
            expect(s.state, `step ${i + 1} changes nothing`).toEqual(last);
          } else if (s.observation.hang !== true) stuckOn.delete(name);
        }
        last = s.state;
        if (s.observation.hang !== true) return;
        expect(s.observation).toMatchObject({ outcome: 'SIGILL', fatal: false, handler: 'request-permission' });
        stuckOn.set(s.observation.task!, instruction);
        hungAt.set(s.observation.task!, s.state);
        const slot = s.state.processes.flatMap((p) => p.tasks).find((t) => t.name === s.observation.task);
        expect(slot?.stuckOn).not.toBeNull();
      });
    },
  );

  it('the generator reaches hangs (so the property above is not vacuous)', () => {
    let hangs = 0;
    fc.assert(
      fc.property(scenarioArb(), (steps) => {
        for (const s of runLenient(steps, 'linux')) if (s.ok && s.observation.hang === true) hangs++;
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(hangs).toBeGreaterThan(0);
  });

  fcTest.prop([fc.constantFrom('TOUCH', 'LDTILECFG', 'TILERELEASE'), fc.boolean()], { numRuns: 30 })(
    'on the no-amx platform every tile instruction under a request-permission handler hangs (N15)',
    (op, thread) => {
      const who = thread ? 'w' : 'main';
      const run = runLenient([main('CLONE_THREAD', { child: 'w' }), ASK, step(who, op)], 'linux', 'main', 'no-amx');
      const last = run.at(-1)!;
      expect(last.ok && last.observation).toMatchObject({ outcome: 'SIGILL', si_code: 'ILL_ILLOPN', hang: true });
    },
  );
});
