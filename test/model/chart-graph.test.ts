// chartGraph() against the charts themselves: every state, its type and initial child, every
// transition with its guard and actions as written, and ids a coverage overlay can reproduce.

import { describe, expect, it } from 'vitest';
import { and, createActor, createMachine, not, or, setup, stateIn } from 'xstate';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { VARIANT_NAMES, buildVariants } from '../../machines/variants.js';
import { NEVER_SET_ALTSTACK } from '../../machines/task-types.js';
import { activeStateIds, allStates, chartGraph, guardExpr, transitionIdOf } from '../../src/model/chart-graph.js';
import { guardText } from '../../src/diagram/labels.js';

const variants = buildVariants(DEFAULT_PLATFORM);
const task = chartGraph(variants.linux.task);

describe('chartGraph of the task chart', () => {
  it('has the state tree of docs/model.md', () => {
    const ids = allStates(task).map((s) => s.id);
    for (const id of [
      'task',
      'task.spawning',
      'task.stillborn',
      'task.alive',
      'task.alive.buffer.unpermitted',
      'task.alive.buffer.permitted',
      'task.alive.buffer.allocated',
      'task.alive.tileData.lost',
      'task.alive.altstack.installed',
      'task.alive.signal.handling.returning',
      'task.exited',
      'task.killed.byExecInAnotherThread',
      'task.alive.lifecycle.zombie',
    ])
      expect(ids).toContain(id);
    const byId = new Map(allStates(task).map((s) => [s.id, s]));
    expect(byId.get('task.alive')?.type).toBe('parallel');
    expect(byId.get('task.alive')?.children.map((c) => c.key)).toEqual(['lifecycle', 'buffer', 'tileConfig', 'tileData', 'altstack', 'signal']);
    expect(byId.get('task.exited')?.type).toBe('final');
    expect(byId.get('task')?.initial).toBe('task.spawning');
    // A fork child starts inside the handler it was forked in: the signal region chooses where to start.
    expect(byId.get('task.alive.signal')?.initial).toBe('task.alive.signal.choosing');
    expect(byId.get('task.alive')?.initial).toBeNull();
  });

  it('lists every transition with unique ids, its guard by name and its actions', () => {
    expect(new Set(task.transitions.map((t) => t.id)).size).toBe(task.transitions.length);
    const t = (id: string) => task.transitions.find((x) => x.id === id);
    expect(t('task.alive.buffer.permitted:TOUCH:3')).toMatchObject({ targets: ['task.alive.buffer.allocated'], guard: null, actions: ['allocateLargeBuffer', 'loadTileData', 'reportOk'] });
    expect(t('task.alive.buffer.permitted:TOUCH:2')).toMatchObject({ targets: [], guard: { kind: 'named', name: 'memoryExhausted' } });
    expect(guardText(t('task.alive.buffer.unpermitted:TOUCH:0')!.guard!)).toBe('touchIsInvalidOpcode');
    expect(guardText(t('task.alive:KILLED:0')!.guard!)).toBe('killedBy(SIGILL) and largeBufferAllocated');
    expect(guardText(t('task.alive.altstack:SIGALTSTACK:2')!.guard!)).toBe('not altstackAtLeastMinimum');
    expect(guardText(t('task.alive.altstack:altstack.restored:1')!.guard!)).toBe('altstackAtLeastMinimum and altstackSizeValid');
    expect(t('task.alive:EXEC:0')).toMatchObject({ targets: ['task.alive'], reenter: true, actions: ['dropLargeBufferAtExec', 'forgetFrames', 'clearAltstackAtExec', 'becomeGroupLeader'] });
    expect(t('task.spawning:always:1')).toMatchObject({ trigger: 'always', event: 'always', targets: ['task.alive'] });
  });

  it('gives what each named composition stands for, and nothing for a guard written as a function', () => {
    const definition = (name: string) => {
      const expr = task.guardDefinitions.get(name);
      return expr ? guardText(expr) : undefined;
    };
    expect(definition('touchIsInvalidOpcode')).toBe('not tileInstructionsExist or not tileConfigLoaded');
    expect(definition('largeBufferAllocated')).toBe('in(alive.buffer.allocated)');
    expect(definition('frameGoesOnAltstack')).toBe('entersAltstack or runningOnAltstack');
    expect(definition('entersAltstack')).toBe('handlerAsksForAltstack and not noAltstackInstalled and not onSigStack');
    expect(definition('memoryExhausted')).toBeUndefined();
  });

  it('carries the source a state or transition cites (meta.source)', () => {
    const state = allStates(task).find((s) => s.id === 'task.alive.buffer.allocated');
    expect(state?.reference).toBe('arch/x86/kernel/fpu/xstate.c:fpstate_realloc');
    expect(task.transitions.find((x) => x.id === 'task.alive.signal:SIGNAL:0')?.reference).toMatch(/^arch\/x86\/kernel\/signal\.c:get_sigframe/);
    expect(task.transitions.find((x) => x.id === 'task.alive.buffer.allocated:TOUCH:1')).not.toHaveProperty('reference');
  });

  it('is deterministic and the same for a provided variant', () => {
    expect(JSON.stringify(chartGraph(variants.linux.task))).toBe(JSON.stringify(task));
    expect(JSON.stringify(chartGraph(variants['linux-fixed'].task))).toBe(JSON.stringify(task));
  });
});

describe('every guard of every chart is printed by rule name', () => {
  // A stateIn() or an arrow written in a transition prints as `in(...)` or `inline`; setup() names them.
  it.each(VARIANT_NAMES.flatMap((v) => (['task', 'process'] as const).map((m) => [v, m] as const)))('%s %s', (variant, machine) => {
    for (const t of chartGraph(variants[variant][machine]).transitions) {
      if (t.guard) expect(guardText(t.guard), t.id).not.toMatch(/\bin\(|\binline\b/);
    }
  });
});

describe('guards and delayed transitions in a small chart', () => {
  const m = setup({ guards: { a: () => true, b: () => false, c: () => true } }).createMachine({
    id: 'm',
    initial: 'x',
    states: {
      x: {
        on: {
          GO: [
            { guard: and(['a', or([not('b'), stateIn({ x: {} }) as never])]), target: 'y' },
            { guard: not(and(['a', 'b'])), target: 'y' },
            { guard: { type: 'c', params: { n: 1 } }, target: 'y' },
            { guard: () => true, target: 'y' },
          ],
        },
        after: { 100: 'y' },
      },
      y: { type: 'final' },
    },
  });
  const g = chartGraph(m);

  it('renders compositions readably', () => {
    const texts = g.transitions.filter((t) => t.event === 'GO').map((t) => guardText(t.guard!));
    expect(texts).toEqual(['a and (not b or in(x))', 'not (a and b)', 'c(1)', 'inline']);
  });

  it('names delayed transitions after their delay', () => {
    expect(g.transitions.find((t) => t.trigger === 'after')).toMatchObject({ event: 'after 100', targets: ['m.y'] });
  });

  it('returns null for no guard', () => {
    expect(guardExpr(undefined)).toBeNull();
  });
});

describe('ids a coverage overlay can produce', () => {
  it('transitionIdOf maps the transitions XState takes to graph ids', () => {
    const seen: string[] = [];
    const actor = createActor(variants.linux.task, {
      input: { permitted: true, altstack: NEVER_SET_ALTSTACK, tileConfig: true, memory: 'available', frames: [], leader: true },
      inspect: (e) => {
        if (e.type === '@xstate.microstep') for (const t of (e as unknown as { _transitions: Parameters<typeof transitionIdOf>[0][] })._transitions) seen.push(transitionIdOf(t) ?? 'unknown');
      },
    });
    actor.start();
    actor.send({ type: 'TOUCH', memory: 'available' });
    actor.stop();
    const ids = new Set(task.transitions.map((t) => t.id));
    expect(seen).toContain('task.alive.buffer.permitted:TOUCH:3');
    for (const id of seen) expect(ids.has(id), id).toBe(true);
  });

  it('activeStateIds names every active state of a snapshot', () => {
    const snapshot = createActor(createMachine({ id: 'm', type: 'parallel', states: { a: { initial: 'x', states: { x: {} } }, b: {} } })).getSnapshot();
    expect(activeStateIds('m', snapshot.value)).toEqual(['m', 'm.a', 'm.a.x', 'm.b']);
    const active = activeStateIds('task', createActor(variants.linux.task, { input: { permitted: false, altstack: NEVER_SET_ALTSTACK, tileConfig: false, memory: 'available', frames: [], leader: true } }).getSnapshot().value);
    const ids = new Set(allStates(task).map((s) => s.id));
    for (const id of active) expect(ids.has(id), id).toBe(true);
    expect(active).toContain('task.alive.buffer.unpermitted');
  });
});
