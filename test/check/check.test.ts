import { describe, expect, it } from 'vitest';
import { StateMachine, emit, enqueueActions, raise, type AnyStateMachine } from 'xstate';
import { buildVariants, type Variant } from '../../machines/variants.js';
import { DEFAULT_PLATFORM, NO_AMX_LINUX_6_18, profileFromMeasurement } from '../../machines/platform.js';
import { ALL_VARIANTS, checkVariant, compareWithManifest, hasManifestEntry, loadManifest, shownCell, verdictWords, type VariantCheck } from '../../src/check/check.js';
import { firstViolation } from '../../src/check/replay.js';
import { CONFIGS, type ExploreConfig } from '../../src/explore/config.js';
import { explore } from '../../src/explore/explore.js';
import { SystemModel } from '../../src/model/system.js';
import { PROPERTIES, propertyByName } from '../../src/properties/catalogue.js';
import { toScenario } from '../../src/scenario/format.js';
import { modelFor } from '../../src/simulate/simulate.js';
import { EPYC } from '../support/measurements.js';

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

describe('the words of a matrix cell', () => {
  const linux = results[0]!;
  const words = (r: VariantCheck, property: string) => verdictWords(shownCell(r.cells[property]!, r.stats.complete));

  it('give a violation with its counterexample length, and tell a vacuous holds from a plain one', () => {
    expect(words(linux, 'BuffersAreFreedOnExecAndExit')).toBe('violated (4)');
    expect(words(linux, 'QueriesArePure')).toBe('holds*');
    expect(words(linux, 'PermissionIsOneWay')).toBe('holds');
    expect(verdictWords(undefined)).toBe('-');
  });

  it('call a holds of a search cut off at --max-states unknown, vacuous or not, and keep its violations', () => {
    const cut = checkVariant('linux', CONFIGS['default']!, { maxStates: 50 });
    expect(words(cut, 'PermissionIsOneWay')).toBe('unknown');
    expect(words(cut, 'QueriesArePure')).toBe('unknown');
    expect(words(cut, 'AltstackChecksAgree')).toBe('violated (2)');
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
  /** 1 x 1 with every op kind but fork: the side ops (guest permission, queries, ptrace) run here. */
  const sideOps: ExploreConfig = { ...CONFIGS['wide']!, name: 'wide-1x1', maxThreadsPerProcess: 1 };
  const violatedUnder = (model: SystemModel, property: string, config: ExploreConfig) =>
    explore(model, config, { properties: [propertyByName(property)!], stopWhenAllViolated: true }).violations.has(property);

  /** The machine with the transitions at `path` (a chain of config keys) replaced: one broken rule. */
  function rewired<M extends AnyStateMachine>(machine: M, path: readonly string[], transitions: unknown): M {
    const replace = (node: Record<string, unknown>, [head, ...rest]: readonly string[]): Record<string, unknown> =>
      head === undefined ? (transitions as Record<string, unknown>) : { ...node, [head]: replace((node[head] ?? {}) as Record<string, unknown>, rest) };
    const config = replace(machine.config as unknown as Record<string, unknown>, path);
    return new StateMachine(config as never, machine.implementations as never) as unknown as M;
  }
  const task = variants.linux.task;
  const process = variants.linux.process;

  const MUTANTS = [
    // Not a mutant: the merged design itself, under the configuration whose handler retries (a lasso).
    ['FaultingInstructionEventuallyCompletes', 'lazy', new SystemModel(variants.linux, DEFAULT_PLATFORM)],
    // An exit or kill that releases the thread but never counts its buffer as freed.
    ['BuffersAreAccountedFor', 'default', mutant(variants.linux, { task: task.provide({ actions: { freeLargeBuffer: () => {} } }) })],
    ['InstalledAltstackFitsAnAmxFrame', 'default', mutant(variants.linux, { task: task.provide({ guards: { altstackFitsAmxFrame: always } }) })],
    ['UnpermittedTouchIsSigill', 'default', mutant(variants.linux, { task: task.provide({ guards: { tileDataAccessTraps: never } }) })],
    ['UnexpandedTasksHoldNoTileData', 'default', mutant(variants.linux, { task: task.provide({ guards: { tileDataAccessTraps: never } }) })],
    ['ExpansionNeedsPermission', 'default', mutant(variants.linux, { task: task.provide({ guards: { inheritsPermission: always } }) })],
    ['PermissionIsProcessWide', 'default', mutant(variants.linux, { task: task.provide({ guards: { inheritsPermission: never } }) })],
    ['NoLargeBufferWithoutAmxUse', 'default', mutant(variants.linux, { task: task.provide({ guards: { permissionAllocatesBuffer: always } }) })],
    ['CloneNeverFailsForAmxBuffers', 'default', mutant(variants.linux, { task: task.provide({ guards: { cloneAllocatesBuffer: always } }) })],
    // Pre-allocation at permission, except for threads created later: they allocate lazily again.
    [
      'AmxWorkIsNeverLostToEnomem',
      'default',
      mutant(variants['prealloc-at-permission'], { task: variants['prealloc-at-permission'].task.provide({ guards: { cloneAllocatesBuffer: never } }) }),
    ],
    // A kernel that re-allocates on every tile access, even with a large buffer in hand.
    [
      'PreallocatedTaskNeverDiesOfEnomem',
      'default',
      mutant(variants.linux, {
        task: task.provide({
          actions: {
            reportOk: enqueueActions(({ enqueue, event }) =>
              enqueue.emit({ type: 'outcome', outcome: { result: 'memory' in event && event.memory === 'exhausted' ? 'ENOMEM' : 'ok' } }),
            ),
          },
        }),
      }),
    ],
    ['TileDataIsNeverSilentlyLost', 'default', mutant(variants.linux, { task: task.provide({ actions: { restoreTileDataFromFrame: raise({ type: 'tiles.dataLost' }) } }) })],
    // linux-fixed, with exit now orphaning the buffer the way exec used to.
    [
      'BuffersAreFreedOnExecAndExit',
      'default',
      mutant(variants['linux-fixed'], { task: variants['linux-fixed'].task.provide({ actions: { freeLargeBuffer: emit({ type: 'buffer', change: 'orphaned' }) } }) }),
    ],
    ['SigreturnAndPtraceCannotExpand', 'default', mutant(variants.linux, { task: task.provide({ actions: { popSignalFrame: emit({ type: 'buffer', change: 'allocated' }) } }) })],
    [
      'FailedRequestChangesNothing',
      'default',
      // A refusal that still tells the threads they are permitted.
      mutant(variants.linux, {
        process: process.provide({
          actions: {
            refuseEnospc: enqueueActions(({ enqueue }) => {
              enqueue.emit({ type: 'outcome', outcome: { result: 'ENOSPC' } });
              enqueue.emit({ type: 'permissionGranted' });
            }),
          },
        }),
      }),
    ],
    // A second request withdraws permission.
    [
      'PermissionIsOneWay',
      'default',
      mutant(variants.linux, { process: rewired(process, ['states', 'hostPermission', 'states', 'permitted', 'on', 'REQ_PERM'], { target: 'unpermitted', actions: 'reportOk' }) }),
    ],
    // A query that grants.
    [
      'QueriesArePure',
      'wide-1x1',
      mutant(variants.linux, {
        process: rewired(process, ['states', 'hostPermission', 'states', 'unpermitted', 'on', 'GET_PERM'], { target: 'permitted', actions: 'reportDefaultPermission' }),
      }),
    ],
    // Another vCPU unlocks guest permission.
    [
      'GuestPermissionLockIsOneWay',
      'wide-1x1',
      mutant(variants.linux, { process: rewired(process, ['states', 'guestPermissionLock', 'states', 'locked', 'on', 'VCPU_CREATE'], { target: 'unlocked', actions: 'reportOk' }) }),
    ],
    // A host request that grants guest permission too.
    [
      'HostAndGuestPermissionsAreIndependent',
      'wide-1x1',
      mutant(variants.linux, { process: rewired(process, ['states', 'guestPermission', 'states', 'unpermitted', 'on', 'REQ_PERM'], { target: 'permitted' }) }),
    ],
  ] as const;

  it.each(MUTANTS)('%s is violated by its mutant (on %s)', (property, configName, model) => {
    const config = configName === 'wide-1x1' ? sideOps : CONFIGS[configName]!;
    expect(violatedUnder(model, property, config)).toBe(true);
  });

  it('covers every property: by a mutant above, or else by the merged design itself violating it', () => {
    const withoutMutant = PROPERTIES.map((p) => p.name).filter((name) => !MUTANTS.some(([m]) => m === name));
    for (const name of withoutMutant) expect(manifest.verdicts.linux[name], name).toBe('violated');
  });
});

describe('the manifest comparison', () => {
  const linux = results.find((r) => r.variant === 'linux')!;

  it('reports a state count that differs from the one recorded', () => {
    const tampered = { ...manifest, configs: { ...manifest.configs, default: { states: { linux: linux.stats.states + 1 } } } };
    expect(compareWithManifest([linux], tampered)).toEqual([
      { variant: 'linux', what: 'states', expected: String(linux.stats.states + 1), found: String(linux.stats.states) },
    ]);
  });

  it("reports a verdict that differs, and honours a configuration's own expected verdicts", () => {
    const flipped = { ...manifest, verdicts: { ...manifest.verdicts, linux: { ...manifest.verdicts.linux, AltstackChecksAgree: 'holds' as const } } };
    expect(compareWithManifest([linux], flipped).map((m) => m.what)).toEqual(['AltstackChecksAgree']);
    const excused = { ...flipped, configs: { ...flipped.configs, default: { ...flipped.configs['default']!, verdicts: { linux: { AltstackChecksAgree: 'violated' as const } } } } };
    expect(compareWithManifest([linux], excused)).toEqual([]);
  });

  it('proves no "holds" from a run cut off by --max-states, but keeps its violations', () => {
    const cut = checkVariant('linux', CONFIGS['default']!, { maxStates: 50 });
    expect(cut.stats.complete).toBe(false);
    const mismatches = compareWithManifest([cut], manifest);
    expect(mismatches.every((m) => m.what !== 'states' && m.found === 'violated')).toBe(true);
  });

  it('marks as vacuous exactly the properties whose ops the configuration lacks', () => {
    const large = checkVariant('linux', CONFIGS['large']!, { maxStates: 1 });
    const vacuous = Object.entries(large.cells).filter(([, c]) => c.vacuous).map(([name]) => name);
    expect(vacuous.sort()).toEqual(
      [
        'AltstackChecksAgree',
        'FaultingInstructionEventuallyCompletes',
        'GuestPermissionLockIsOneWay',
        'InstalledAltstackFitsAnAmxFrame',
        'QueriesArePure',
        'SigreturnAndPtraceCannotExpand',
        'TileDataIsNeverSilentlyLost',
      ].sort(),
    );
    expect(Object.values(linux.cells).filter((c) => c.vacuous).length).toBe(3);
  });
});

describe('the manifest and the other configurations', () => {
  it('has an entry for every named configuration', () => {
    expect(Object.keys(manifest.configs).sort()).toEqual(Object.keys(CONFIGS).sort());
  });

  it('matches the checker on tiny, with its own expected differences and state counts', () => {
    const tiny = ALL_VARIANTS.map((v) => checkVariant(v, CONFIGS['tiny']!));
    expect(compareWithManifest(tiny, manifest, 'tiny')).toEqual([]);
    expect(Object.keys(manifest.configs['tiny']?.verdicts ?? {}).length).toBeGreaterThan(0);
  });
});

describe('the manifest and the no-amx platform', () => {
  const noAmx = (config: string) => ALL_VARIANTS.map((v) => checkVariant(v, CONFIGS[config]!, { platform: NO_AMX_LINUX_6_18 }));

  it('records no-amx under every named configuration, each with its reason', () => {
    const entry = manifest.platforms?.['no-amx'] ?? {};
    expect(Object.keys(entry).sort()).toEqual(Object.keys(CONFIGS).sort());
    for (const c of Object.values(entry)) expect(c.$why).toMatch(/AMX/);
  });

  it.each(Object.keys(CONFIGS).map((c) => [c] as const))('matches the checker on %s: verdicts and state counts', (config) => {
    const r = noAmx(config);
    expect(hasManifestEntry(manifest, config, 'no-amx')).toBe(true);
    expect(compareWithManifest(r, manifest, config, 'no-amx')).toEqual([]);
    for (const v of r) expect(v.platform).toBe('no-amx');
  });

  it('without AMX nothing breaks: the recorded cells are exactly where spr-linux-6.18 expects a violation', () => {
    const r = noAmx('default');
    expect(r.flatMap((v) => Object.values(v.cells).filter((c) => c.verdict === 'violated'))).toEqual([]);
    const recorded = Object.entries(manifest.platforms?.['no-amx']?.['default']?.verdicts ?? {}).flatMap(([v, cells]) => Object.keys(cells ?? {}).map((p) => `${v} ${p}`));
    const againstSpr = compareWithManifest(r, manifest, 'default').filter((m) => m.what !== 'states');
    expect(againstSpr.map((m) => `${m.variant} ${m.what}`).sort()).toEqual(recorded.sort());
    expect(againstSpr.every((m) => m.expected === 'violated' && m.found === 'holds')).toBe(true);
  });

  it('reports a cell that differs from the platform entry', () => {
    const entry = manifest.platforms!['no-amx']!;
    const tampered = {
      ...manifest,
      platforms: { 'no-amx': { ...entry, default: { ...entry['default']!, verdicts: { ...entry['default']!.verdicts, linux: { ...entry['default']!.verdicts?.linux, AltstackChecksAgree: 'violated' as const } } } } },
    };
    expect(compareWithManifest(noAmx('default'), tampered, 'default', 'no-amx')).toEqual([{ variant: 'linux', what: 'AltstackChecksAgree', expected: 'violated', found: 'holds' }]);
  });

  it('has no entry for a measured host profile, so there is nothing to compare', () => {
    const host = profileFromMeasurement(EPYC);
    expect(hasManifestEntry(manifest, 'default', host.name)).toBe(false);
    expect(hasManifestEntry(manifest, 'default', DEFAULT_PLATFORM.name)).toBe(true);
  });
});
