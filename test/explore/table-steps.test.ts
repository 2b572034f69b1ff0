import { describe, expect, it } from 'vitest';
import { candidateSteps } from '../../src/explore/candidates.js';
import { boundedConfig, CONFIGS, type ExploreConfig } from '../../src/explore/config.js';
import { explore, type ExploreResult } from '../../src/explore/explore.js';
import { unitsOf } from '../../src/explore/units.js';
import type { SafetyProperty, Transition } from '../../src/explore/property.js';
import { CanonicalCodes } from '../../src/explore/canonical.js';
import type { NextResult, SystemModel } from '../../src/model/system.js';
import type { Step } from '../../src/scenario/format.js';
import type { OwnTaskEntry } from '../../src/model/own-task-steps.js';
import { isAlive, type SystemState } from '../../src/model/state.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { VARIANT_NAMES, type VariantName } from '../../machines/variants.js';

/** Enough states of every preset to reach the allocation failures, altstack windows and execs, in a few seconds. */
const MAX_STATES = 20_000;

/** What a search found, all of it: the step table may change how fast, never what. */
function found(r: ExploreResult): unknown {
  return { stats: { ...r.stats, seconds: 0, statesPerSecond: 0 }, violations: [...r.violations.entries()] };
}

/** The presets, and `forks` searched by units (every number of processes), whose states are units. */
const SEARCHES: readonly ExploreConfig[] = [...Object.values(CONFIGS), boundedConfig(CONFIGS['forks']!, { processes: Number.POSITIVE_INFINITY })];

const PLATFORMS = [...VARIANT_NAMES.map((v) => [v, 'spr-linux-6.18'] as const), ['linux', 'no-amx'] as const];

describe('a step the step table holds is judged once per entry', () => {
  it.each(PLATFORMS)('%s on %s: every preset finds the same states, transitions and counterexamples as a search that makes and judges every transition', (variant: VariantName, platform) => {
    let answered = 0;
    let staying = 0;
    for (const config of SEARCHES) {
      const once = explore(modelFor(variant, platform), config, { properties: PROPERTIES, maxStates: MAX_STATES });
      const every = explore(modelFor(variant, platform), config, { properties: PROPERTIES, maxStates: MAX_STATES, judgeEveryTransition: true });
      expect(found(once), config.name).toEqual(found(every));
      expect(every.fromTable).toBe(0);
      expect(every.fromTableStaying).toBe(0);
      expect(once.fromTableStaying).toBeLessThanOrEqual(once.fromTable);
      answered += once.fromTable;
      staying += once.fromTableStaying;
    }
    // The comparison is worth something only where the table answered: most transitions, in fact,
    // many of them by an entry whose steps lead back to the state they left, without a key.
    expect(answered).toBeGreaterThan(10_000);
    expect(staying).toBeGreaterThan(1_000);
  }, 120_000);

  /** About `count` states of the configuration, spread over its breadth-first order. */
  function statesOf(model: SystemModel, config: ExploreConfig, count: number): SystemState[] {
    const all: SystemState[] = [];
    explore(model, config, { onState: (_key, s) => void all.push(s), maxStates: MAX_STATES });
    const every = Math.max(1, Math.ceil(all.length / count));
    return all.filter((_s, i) => i % every === 0);
  }

  /**
   * Every step from the states of every preset that `model`'s step table holds, but for one that
   * ends its thread group (the search always takes those): where it is taken, its entry, and what
   * next() makes of it.
   */
  function* tableSteps(model: SystemModel): Generator<{ state: SystemState; step: Step; pi: number; ti: number; entry: OwnTaskEntry; r: Extract<NextResult, { ok: true }> }> {
    for (const config of SEARCHES)
      for (const state of statesOf(model, config, 150))
        for (const step of candidateSteps(model, config, { state, execs: 0, nextId: 1000 })) {
          const at = step.task === undefined ? undefined : model.locate(state, step.task);
          if (at === undefined) continue;
          const row = model.tableRow(state, at.pi, at.ti);
          const before = row === undefined ? undefined : model.tableEntry(row, step);
          const r = model.next(state, step);
          // The step that made an entry is one of its steps too.
          const entry = before ?? (row === undefined ? undefined : model.tableEntry(row, step));
          if (entry === undefined || entry.effect.groupEnd !== undefined) continue;
          expect(r.ok).toBe(true);
          if (r.ok) yield { state, step, pi: at.pi, ti: at.ti, entry, r };
        }
  }

  it.each(VARIANT_NAMES)('%s: each step property that does not read threads together gives every step of one entry the same verdict, from every state', (variant) => {
    const model = modelFor(variant);
    const judged = PROPERTIES.filter((p): p is SafetyProperty => p.kind === 'step' && p.readsThreadsTogether !== true);
    const verdicts = new Map<OwnTaskEntry, string>();
    let repeated = 0;
    let broken = 0;
    for (const { state, step, entry, r } of tableSteps(model)) {
      const t: Transition = { before: state, step, observation: r.outcome, after: r.state, model };
      const verdict = judged.filter((p) => !p.holds(t)).map((p) => p.name).join(',');
      if (verdict !== '') broken++;
      const first = verdicts.get(entry);
      if (first === undefined) verdicts.set(entry, verdict);
      else {
        expect(verdict, `${step.op} ${JSON.stringify(step.fields)}`).toBe(first);
        repeated++;
      }
    }
    expect(repeated).toBeGreaterThan(1000);
    // Some entries break a property (on linux, the 116-byte altstack window): verdicts that could differ.
    if (variant === 'linux') expect(broken).toBeGreaterThan(0);
  }, 120_000);

  it.each(['linux', 'no-xfd'] as const)('%s: the key written from the prepared codes of a step the table holds is the key of the state next() makes, and that of the state before where the entry says its steps stay', (variant) => {
    const model = modelFor(variant);
    const prepared = new CanonicalCodes();
    let compared = 0;
    let processes = 0;
    let forks = 0;
    let staying = 0;
    let unmarked = 0;
    const keyOf = (s: SystemState): string => {
      const codes = new CanonicalCodes();
      codes.write(model, s, 1);
      return codes.text();
    };
    for (const { state, step, pi, ti, entry, r } of tableSteps(model)) {
      const { effect } = entry;
      prepared.prepareSteps(model, state, pi, ti);
      prepared.writeAfterStep(model, 1, effect.task, effect.processSnapshot, effect.forked);
      expect(prepared.text(), `${step.op} ${JSON.stringify(step.fields)}`).toBe(keyOf(r.state));
      compared++;
      // An entry marked as leaving the state as it was: the state after its step has the key of the state before.
      if (effect.stays) {
        expect(keyOf(r.state), `${step.op} ${JSON.stringify(step.fields)}`).toBe(keyOf(state));
        expect(step.op === 'EXEC' && r.outcome.outcome === 'ok').toBe(false);
        staying++;
      } else if (keyOf(r.state) === keyOf(state)) unmarked++;
      if (state.processes.filter((p) => p.tasks.some(isAlive)).length > 1) processes++;
      // A search by units, from a state of one unit: the step's unit, written without the process it made, and that process alone.
      if (effect.forked === undefined || unitsOf(state).length !== 1) continue;
      prepared.writeAfterStep(model, 1, effect.task, effect.processSnapshot);
      const written = [prepared.text()];
      prepared.writeForked(model, 1, effect.forked);
      written.push(prepared.text());
      expect(written.sort(), `${step.op} ${JSON.stringify(step.fields)}`).toEqual(unitsOf(r.state).map(keyOf).sort());
      forks++;
    }
    expect(compared).toBeGreaterThan(1000);
    // Steps in a state of several processes, whose key sorts their code sequences.
    expect(processes).toBeGreaterThan(100);
    expect(forks).toBeGreaterThan(50);
    expect(staying).toBeGreaterThan(100);
    // A step that leaves the key as it was only by chance (a thread that becomes its sibling's twin) is rare.
    expect(unmarked).toBeLessThan(staying);
  }, 120_000);
});
