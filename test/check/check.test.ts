import { describe, expect, it } from 'vitest';
import { enqueueActions } from 'xstate';
import { buildVariants, type Variant } from '../../machines/variants.js';
import { DEFAULT_PLATFORM } from '../../machines/platform.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, loadManifest, type VariantCheck } from '../../src/check/check.js';
import { firstViolation } from '../../src/check/replay.js';
import { CONFIGS } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { SystemModel } from '../../src/model/system.js';
import { PROPERTIES, propertyByName } from '../../src/properties/catalogue.js';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';

const manifest = loadManifest();
const results: VariantCheck[] = ALL_VARIANTS.map((v) => checkVariant(v, CONFIGS['default']!));

describe('the verdict matrix on the default configuration', () => {
  it('matches every verdict written in machines/manifest.json', () => {
    expect(compareWithManifest(results, manifest)).toEqual([]);
  });

  it('has a manifest verdict for every property and variant', () => {
    for (const v of ALL_VARIANTS) for (const p of PROPERTIES) expect(manifest.verdicts[v]?.[p.name], `${v} ${p.name}`).toMatch(/^(holds|violated)$/);
  });

  it('explores exactly the state counts recorded in the manifest', () => {
    for (const r of results) {
      expect(r.stats.complete).toBe(true);
      expect(r.stats.states, r.variant).toBe(manifest.configs['default']?.states[r.variant]);
    }
  });

  it('finds the verdicts the 2021 thread and the measurements predict', () => {
    const cell = (v: string, p: string) => results.find((r) => r.variant === v)?.cells[p]?.verdict;
    expect(cell('linux', 'UnpermittedTouchIsSigill')).toBe('holds');
    expect(cell('linux', 'NoLargeBufferWithoutAmxUse')).toBe('holds');
    expect(cell('linux', 'AmxWorkIsNeverLostToEnomem')).toBe('violated');
    expect(cell('linux', 'BuffersAreFreedOnExecAndExit')).toBe('violated');
    expect(cell('linux', 'AltstackChecksAgree')).toBe('violated');
    expect(cell('linux-fixed', 'BuffersAreFreedOnExecAndExit')).toBe('holds');
    expect(cell('prealloc-at-permission', 'AmxWorkIsNeverLostToEnomem')).toBe('holds');
    expect(cell('prealloc-at-permission', 'NoLargeBufferWithoutAmxUse')).toBe('violated');
    expect(cell('prealloc-at-permission', 'CloneNeverFailsForAmxBuffers')).toBe('violated');
    expect(cell('no-xfd', 'UnpermittedTouchIsSigill')).toBe('violated');
    expect(cell('no-xfd', 'TileDataIsNeverSilentlyLost')).toBe('violated');
  });
});

describe('counterexamples', () => {
  const cases = results.flatMap((r) =>
    Object.entries(r.cells).flatMap(([name, c]) => (c.counterexample ? [{ variant: r.variant, name, scenario: c.counterexample }] : [])),
  );

  it('exist for every violated cell', () => {
    expect(cases.length).toBe(results.flatMap((r) => Object.values(r.cells).filter((c) => c.verdict === 'violated')).length);
  });

  it.each(cases)('$variant $name replays through simulate to the same violation at its last step', ({ variant, name, scenario }) => {
    const parsed = toScenario(JSON.parse(JSON.stringify(scenario)));
    const property = propertyByName(name)!;
    expect(firstViolation(modelFor(variant), parsed, property)).toBe(parsed.steps.length);
    expect(scenario.steps.at(-1)?.['note']).toMatch(/first bad step/);
  });

  it('are shortest: no property breaks on a prefix of its counterexample', () => {
    for (const { variant, name, scenario } of cases) {
      const parsed = toScenario(JSON.parse(JSON.stringify(scenario)));
      const prefix = { ...parsed, steps: parsed.steps.slice(0, -1) };
      if (prefix.steps.length === 0) continue;
      expect(firstViolation(modelFor(variant), prefix, propertyByName(name)!), `${variant} ${name}`).toBeNull();
    }
  });
});

describe('every property can fail', () => {
  const variants = buildVariants(DEFAULT_PLATFORM);
  const always = () => true;
  const never = () => false;
  const mutant = (base: Variant, patch: Partial<Pick<Variant, 'task' | 'process'>>): SystemModel =>
    new SystemModel({ ...base, ...patch }, DEFAULT_PLATFORM);
  const violatedUnder = (model: SystemModel, property: string) =>
    explore(model, CONFIGS['default']!, { properties: [propertyByName(property)!] }).violations.has(property);

  it.each([
    ['InstalledAltstackFitsAnAmxFrame', mutant(variants.linux, { task: variants.linux.task.provide({ guards: { altstackFitsAmxFrame: always } }) })],
    ['UnpermittedTouchIsSigill', mutant(variants.linux, { task: variants.linux.task.provide({ guards: { tileDataAccessTraps: never } }) })],
    ['ExpansionNeedsPermission', mutant(variants.linux, { task: variants.linux.task.provide({ guards: { inheritsPermission: always } }) })],
    ['NoLargeBufferWithoutAmxUse', mutant(variants.linux, { task: variants.linux.task.provide({ guards: { permissionAllocatesBuffer: always } }) })],
    ['CloneNeverFailsForAmxBuffers', mutant(variants.linux, { task: variants.linux.task.provide({ guards: { cloneAllocatesBuffer: always } }) })],
    [
      'FailedRequestChangesNothing',
      // A refusal that still tells the threads they are permitted.
      mutant(variants.linux, {
        process: variants.linux.process.provide({
          actions: {
            refuseEnospc: enqueueActions(({ enqueue }) => {
              enqueue.emit({ type: 'outcome', outcome: { result: 'ENOSPC' } });
              enqueue.emit({ type: 'permissionGranted' });
            }),
          },
        }),
      }),
    ],
  ] as const)('%s is violated by its mutant', (property, model) => {
    expect(violatedUnder(model, property)).toBe(true);
  });
});
