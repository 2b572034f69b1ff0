import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM, NO_AMX_LINUX_6_18, type PlatformProfile } from '../../machines/platform.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, hasManifestEntry, loadManifest } from '../../src/check/check.js';
import { candidateSteps } from '../../src/explore/candidates.js';
import { canonicalKey } from '../../src/explore/canonical.js';
import { boundedConfig, CONFIGS, opsNamed, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import type { SafetyProperty, Transition } from '../../src/explore/property.js';
import { EVENTS_FROM_OTHER_THREADS, isPrivate } from '../../src/explore/reduction.js';
import { ROUTE_RULES, SHARED_RULES } from '../../src/model/rules.js';
import { isAlive, type SystemState } from '../../src/model/state.js';
import type { SystemModel } from '../../src/model/system.js';
import { PROPERTIES } from '../../src/properties/catalogue.js';
import type { Step } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';

const PLATFORMS: readonly PlatformProfile[] = [DEFAULT_PLATFORM, NO_AMX_LINUX_6_18];
const STEP_PROPERTIES = PROPERTIES.filter((p): p is SafetyProperty => p.kind === 'step');

/**
 * A bounded configuration where threads do have private steps to commute: no EXIT (so a clone cut at
 * the thread limit stays cut), permission, tile use and signals; three threads.
 */
const COMMUTING: ExploreConfig = boundedConfig(CONFIGS['default']!, {
  threads: 3,
  ops: { choices: (opsNamed('REQ_PERM,LDTILECFG,TOUCH,CONTEXT_SWITCH,CLONE_THREAD,SIGNAL,SIGRETURN') as { choices: ExploreConfig['ops'] }).choices, named: 'commuting' },
});

describe('what other threads can do to a thread', () => {
  it('is the permission grant and death, as the rules draw their edges to the other threads', () => {
    const sent = new Set<string>();
    for (const rule of [...Object.values(SHARED_RULES), ...Object.values(ROUTE_RULES)])
      for (const e of rule.edges) if (e.to.includes('others')) for (const s of e.sends) if (s.chart === 'task') sent.add(s.event);
    expect([...sent].sort()).toEqual([...EVENTS_FROM_OTHER_THREADS].sort());
  });
});

/** About `count` states of the configuration's state space, spread evenly over it in breadth-first order. */
function sampleStates(model: SystemModel, config: ExploreConfig, count: number): SystemState[] {
  const all: SystemState[] = [];
  explore(model, config, { onState: (_key, s) => void all.push(s) });
  const every = Math.max(1, Math.ceil(all.length / count));
  return all.filter((_s, i) => i % every === 0);
}

function judged(model: SystemModel, before: SystemState, step: Step): { state: SystemState; outcome: string; broken: string[] } | undefined {
  const r = model.next(before, step);
  if (!r.ok) return undefined;
  const t: Transition = { before, step, observation: r.outcome, after: r.state, model };
  return { state: r.state, outcome: JSON.stringify(r.outcome), broken: STEP_PROPERTIES.filter((p) => !p.holds(t)).map((p) => p.name) };
}

const key = (model: SystemModel, s: SystemState) => `${canonicalKey(model, s, 0)}|${s.buffers.allocated},${s.buffers.freed},${s.buffers.leaked}`;
const alive = (model: SystemModel, s: SystemState, task: string) => {
  const at = model.locate(s, task);
  return at !== undefined && isAlive(s.processes[at.pi]!.tasks[at.ti]!);
};
const tileFields = (o: string) => {
  const { tiles: _t, buffer: _b, ...rest } = JSON.parse(o) as Record<string, unknown>;
  return JSON.stringify(rest);
};

/**
 * For a private step `a` and a step `b` of another thread (or of the environment) in `s`: either
 * they commute (both orders run, reach the same state with the same buffer counts, and each reports
 * the same), or `b` kills a's thread and a's effect vanishes (the same state after `b` with or without
 * `a` first). Neither disables the other. A step property that `b` breaks in `s` it breaks after `a`
 * too, and one that `a` breaks after `b` it breaks in `s` (so exploring `a` first hides no violation).
 */
function commutes(model: SystemModel, s: SystemState, a: Step, b: Step): string | undefined {
  const ab1 = judged(model, s, a)!;
  const b1 = judged(model, s, b);
  const ab = judged(model, ab1.state, b);
  if ((b1 === undefined) !== (ab === undefined)) return `${b.op} is ${b1 ? '' : 'not '}enabled before ${a.op} but ${ab ? '' : 'not '}after it`;
  if (b1 === undefined || ab === undefined) return undefined;
  if (b1.outcome !== ab.outcome) return `${b.op} reports ${b1.outcome} before ${a.op}, ${ab.outcome} after it`;
  const lost = b1.broken.filter((p) => !ab.broken.includes(p));
  if (lost.length > 0) return `${b.op} breaks ${lost.join(', ')} before ${a.op}, not after it`;
  if (!alive(model, b1.state, a.task!)) return key(model, ab.state) === key(model, b1.state) ? undefined : `${b.op} kills ${a.task}, but ${a.op} first leaves a trace`;
  const ba = judged(model, b1.state, a);
  if (ba === undefined) return `${a.op} is disabled after ${b.op}`;
  if (tileFields(ba.outcome) !== tileFields(ab1.outcome)) return `${a.op} reports ${ab1.outcome} before ${b.op}, ${ba.outcome} after it`;
  const hidden = ba.broken.filter((p) => !ab1.broken.includes(p));
  if (hidden.length > 0) return `${a.op} breaks ${hidden.join(', ')} after ${b.op}, not before it`;
  return key(model, ba.state) === key(model, ab.state) ? undefined : `${a.op};${b.op} and ${b.op};${a.op} end in different states`;
}

describe('a private step commutes with every step of the other threads, or dies with its thread', () => {
  const cases: [string, ExploreConfig][] = [
    ['default', CONFIGS['default']!],
    ['lazy', CONFIGS['lazy']!],
    ['forks', CONFIGS['forks']!],
    ['commuting', COMMUTING],
  ];
  for (const [name, config] of cases)
    for (const platform of PLATFORMS)
      it(`on ${name}, ${platform.name}, every variant`, () => {
        const memoryChanges = config.ops.some((o) => o.op === 'OOM_BEGIN' || o.op === 'OOM_END');
        let pairs = 0;
        for (const variant of ALL_VARIANTS) {
          const model = modelFor(variant, platform);
          for (const s of sampleStates(model, config, 50)) {
            const steps = candidateSteps(model, config, { state: s, execs: 0, nextId: 90 });
            for (const a of steps) {
              if (a.task === undefined) continue;
              const at = model.locate(s, a.task)!;
              if (!isPrivate(model, s, at.pi, at.ti, a, memoryChanges) || !model.next(s, a).ok) continue;
              for (const b of steps) {
                if (b.task === a.task) continue;
                pairs++;
                const why = commutes(model, s, a, b);
                if (why !== undefined) expect.fail(`${variant}: ${a.task} ${a.op} ${JSON.stringify(a.fields)} and ${b.task ?? 'environment'} ${b.op}: ${why}`);
              }
            }
          }
        }
        expect(pairs).toBeGreaterThan(0);
      }, 300_000);
});

describe('the reduced search gives every verdict of the full one', () => {
  const manifest = loadManifest();
  for (const name of Object.keys(CONFIGS))
    for (const platform of PLATFORMS)
      it(`on ${name}, ${platform.name}: the verdicts machines/manifest.json records for the full search`, () => {
        expect(hasManifestEntry(manifest, name, platform.name)).toBe(true);
        const results = ALL_VARIANTS.map((v) => checkVariant(v, CONFIGS[name]!, { platform, reduction: 'por' }));
        for (const r of results) expect(r.stats.complete).toBe(true);
        expect(compareWithManifest(results, manifest, name, platform.name)).toEqual([]);
      }, 600_000);

  for (const platform of PLATFORMS)
    it(`on a configuration where threads commute (${platform.name}): the same verdicts, with fewer transitions`, () => {
      for (const v of ALL_VARIANTS) {
        const full = checkVariant(v, COMMUTING, { platform });
        const reduced = checkVariant(v, COMMUTING, { platform, reduction: 'por' });
        for (const p of PROPERTIES) expect(reduced.cells[p.name]?.verdict, `${v} ${p.name}`).toBe(full.cells[p.name]?.verdict);
        expect(reduced.stats.transitions, v).toBeLessThanOrEqual(full.stats.transitions);
      }
    });

  it('does prune: on the commuting configuration, linux takes fewer transitions and states', () => {
    const model = () => modelFor('linux');
    const full = explore(model(), COMMUTING, { properties: PROPERTIES });
    const reduced = explore(model(), COMMUTING, { properties: PROPERTIES, reduction: 'por' });
    expect(reduced.stats.transitions).toBeLessThan(full.stats.transitions);
    expect(reduced.stats.states).toBeLessThan(full.stats.states);
  });
});
