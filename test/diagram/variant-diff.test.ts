// variantMarks() against an independent reading of the raw machine config: the transitions whose
// guards or actions name a replaced guard or action (also inside a named guard that setup() defines as
// a composition of others), plus those of ops only the variant has.

import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { VARIANT_NAMES, buildVariants, type Variant } from '../../machines/variants.js';
import { chartGraph } from '../../src/model/chart-graph.js';
import { diffMarks, variantMarks } from '../../src/diagram/variant-diff.js';

const variants = buildVariants(DEFAULT_PLATFORM);

/**
 * Every string a guard or action value holds, looking inside XState's guard helpers (their `guards`)
 * and into the named guards that `guards` (a machine's implementations) defines with them.
 */
function strings(value: unknown, guards: Readonly<Record<string, unknown>>): string[] {
  if (typeof value === 'string') return [value, ...(typeof guards[value] === 'function' ? strings(guards[value], guards) : [])];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, guards));
  if (typeof value === 'function') return strings((value as { guards?: unknown }).guards ?? [], guards);
  if (typeof value === 'object' && value !== null) return strings((value as { type?: unknown }).type ?? [], guards);
  return [];
}

type RawTransition = { guard?: unknown; actions?: unknown };
type RawState = { id?: string; on?: Record<string, RawTransition | RawTransition[]>; always?: RawTransition | RawTransition[]; states?: Record<string, RawState> };

/** Transition ids `<path>:<event>:<index>` whose guard or actions name one of `names`, from the raw config. */
function referencing(
  config: RawState,
  machineId: string,
  guards: Readonly<Record<string, unknown>>,
  names: readonly string[],
  events: readonly string[],
): string[] {
  const out: string[] = [];
  const walk = (state: RawState, path: string): void => {
    const lists: [string, RawTransition[]][] = [
      ['always', state.always === undefined ? [] : ([] as RawTransition[]).concat(state.always)],
      ...Object.entries(state.on ?? {}).map(([e, t]) => [e, ([] as RawTransition[]).concat(t)] as [string, RawTransition[]]),
    ];
    for (const [event, list] of lists)
      list.forEach((t, i) => {
        const used = [...strings(t.guard, guards), ...strings(t.actions, {})];
        if (used.some((u) => names.includes(u)) || events.includes(event)) out.push(`${path}:${event}:${i}`);
      });
    for (const [key, child] of Object.entries(state.states ?? {})) walk(child, `${path}.${key}`);
  };
  walk(config, machineId);
  return out.sort();
}

describe.each(VARIANT_NAMES.flatMap((v) => (['task', 'process'] as const).map((m) => [v, m] as const)))('variantMarks(%s, %s)', (name, machine) => {
  const v: Variant = variants[name];
  const marks = variantMarks(name, machine);

  it('marks exactly the transitions that use a replaced name or an extra op, as changed', () => {
    const config = v[machine].config as unknown as RawState;
    const extra = v.extraOps.filter((op) => !variants.linux.extraOps.includes(op));
    const guards = v[machine].implementations.guards as Readonly<Record<string, unknown>>;
    expect([...marks.keys()].sort()).toEqual(referencing(config, v[machine].id, guards, v.replaces[machine], extra));
    for (const m of marks.values()) expect(m).toBe('changed');
  });

  it('marks only ids the diagram has', () => {
    const graph = chartGraph(v[machine]);
    const ids = new Set([...graph.transitions.map((t) => t.id)]);
    for (const id of marks.keys()) expect(ids.has(id), id).toBe(true);
  });
});

describe('what each variant changes', () => {
  it('linux against linux changes nothing', () => {
    expect(variantMarks('linux', 'task').size).toBe(0);
    expect(variantMarks(variants.linux, 'process').size).toBe(0);
  });

  it('every variant but linux changes something in the task chart; prealloc-syscall its base\'s exec and its PREALLOC transitions', () => {
    expect(variantMarks('linux-fixed', 'task')).toEqual(new Map([['task.alive:EXEC:0', 'changed']]));
    const prealloc = [...variantMarks('prealloc-syscall', 'task').keys()];
    expect(prealloc.filter((id) => !id.includes(':PREALLOC:'))).toEqual(['task.alive:EXEC:0']);
    expect(prealloc.length).toBe(5);
    expect(variantMarks('prealloc-at-permission', 'process').size).toBe(1);
    expect(variantMarks('no-xfd', 'task').size).toBeGreaterThan(0);
  });

  it('marks states and transitions one chart has and the other has not', () => {
    const base = chartGraph(variants.linux.process);
    const trimmed = { ...base, transitions: base.transitions.filter((t) => t.event !== 'GET_SUPP') };
    const marks = diffMarks(base, trimmed, [], []);
    expect([...marks.keys()]).toEqual(['process:GET_SUPP:0']);
    const fewer = { ...base, root: { ...base.root, children: base.root.children.slice(1) } };
    expect(diffMarks(base, fewer, [], []).get('process.hostPermission')).toBe('changed');
  });

  it('marks the transitions of a replaced guard that a named composition hides', () => {
    // touchIsInvalidOpcode is `not tileInstructionsExist or not tileConfigLoaded`: the TOUCH rows name only it.
    const linux = chartGraph(variants.linux.task);
    const withoutAmx = chartGraph(variants.linux.task.provide({ guards: { tileInstructionsExist: () => false } }));
    const marked = [...diffMarks(withoutAmx, linux, ['tileInstructionsExist'], []).keys()];
    for (const state of ['unpermitted', 'permitted', 'allocated']) expect(marked).toContain(`task.alive.buffer.${state}:TOUCH:0`);
    expect(marked).toContain('task.alive.tileConfig:LDTILECFG:0');
  });

  it('refuses an unknown variant name', () => {
    expect(() => variantMarks('bsd' as never, 'task')).toThrow(/unknown variant "bsd"/);
  });
});
