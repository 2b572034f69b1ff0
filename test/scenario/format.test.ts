// The scenario format: bad input is a ScenarioError that names the step and the field, whether it is
// caught while parsing (parseScenario/toScenario) or only when the model runs the step (simulate).

import { describe, expect, it } from 'vitest';
import { OPS } from '../../machines/kernel-events.js';
import { ScenarioError, parseScenario, stepToJson, toScenario } from '../../src/scenario/format.js';
import { simulate } from '../../src/simulate/simulate.js';

interface BadInput {
  readonly title: string;
  /** The scenario text (or a value to validate) and an optional --variant. */
  readonly input: string | { readonly json: unknown; readonly variant?: string };
  /** Whether the error comes from parsing or from running the steps. */
  readonly at: 'parse' | 'run';
  readonly step: number | undefined;
  readonly field: string | undefined;
  /** Words the message must contain, so a reader can act on it. */
  readonly message: readonly string[];
}

const scenario = (...steps: readonly unknown[]) => ({ json: { steps } });

const BAD: readonly BadInput[] = [
  { title: 'malformed JSON', input: '{"steps": [', at: 'parse', step: undefined, field: undefined, message: ['malformed JSON'] },
  { title: 'not an object', input: '[1, 2]', at: 'parse', step: undefined, field: undefined, message: ['JSON object'] },
  { title: 'no steps array', input: { json: { variant: 'linux' } }, at: 'parse', step: undefined, field: 'steps', message: ['"steps"'] },
  { title: 'unknown top-level field', input: { json: { steps: [], mode: 'fast' } }, at: 'parse', step: undefined, field: 'mode', message: ['"mode"'] },
  { title: 'unknown variant in the file', input: { json: { variant: 'freebsd', steps: [] } }, at: 'parse', step: undefined, field: 'variant', message: ['freebsd', 'linux-fixed'] },
  { title: 'unknown variant given as --variant', input: { json: { steps: [] }, variant: 'eager' }, at: 'parse', step: undefined, field: 'variant', message: ['eager'] },
  { title: 'unknown platform', input: { json: { platform: 'zen5', steps: [] } }, at: 'parse', step: undefined, field: 'platform', message: ['zen5'] },
  {
    title: 'unknown op',
    input: scenario({ task: 'main', op: 'GET_PERM' }, { task: 'main', op: 'TILEZERO' }),
    at: 'parse',
    step: 2,
    field: 'op',
    message: ['step 2', 'TILEZERO'],
  },
  { title: 'op missing', input: scenario({ task: 'main' }), at: 'parse', step: 1, field: 'op', message: ['step 1', '"op"'] },
  { title: 'step is not an object', input: scenario('TOUCH'), at: 'parse', step: 1, field: undefined, message: ['step 1'] },
  {
    title: 'unknown size class',
    input: scenario({ task: 'main', op: 'SIGALTSTACK', size: 'tiny' }),
    at: 'parse',
    step: 1,
    field: 'size',
    message: ['step 1', '"size"', 'small, window, large, disable', 'tiny'],
  },
  { title: 'missing task', input: scenario({ task: 'main', op: 'GET_PERM' }, { op: 'TOUCH' }), at: 'parse', step: 2, field: 'task', message: ['step 2', '"task"'] },
  { title: 'missing required field', input: scenario({ task: 'main', op: 'REQ_PERM' }), at: 'parse', step: 1, field: 'feature', message: ['step 1', '"feature"', 'missing'] },
  { title: 'field of the wrong type', input: scenario({ task: 'main', op: 'REQ_PERM', feature: '18' }), at: 'parse', step: 1, field: 'feature', message: ['integer'] },
  { title: 'field the op does not have', input: scenario({ task: 'main', op: 'TOUCH', palette: 1 }), at: 'parse', step: 1, field: 'palette', message: ['"palette"', 'TOUCH'] },
  { title: 'note that is not a string', input: scenario({ task: 'main', op: 'TOUCH', note: 3 }), at: 'parse', step: 1, field: 'note', message: ['"note"'] },
  { title: 'no step names a task', input: scenario({ op: 'OOM_BEGIN' }), at: 'run', step: undefined, field: undefined, message: ['main thread'] },
  {
    title: 'unknown task at run time',
    input: scenario({ task: 'main', op: 'GET_PERM' }, { task: 'worker', op: 'TOUCH' }),
    at: 'run',
    step: 2,
    field: 'task',
    message: ['step 2', 'worker'],
  },
  {
    title: 'dead task',
    input: scenario({ task: 'main', op: 'CLONE_THREAD', child: 'w' }, { task: 'w', op: 'EXIT' }, { task: 'w', op: 'GET_PERM' }),
    at: 'run',
    step: 3,
    field: 'task',
    message: ['step 3', '"w"', 'no longer running'],
  },
  {
    title: 'task of a process killed by SIGILL',
    input: scenario({ task: 'main', op: 'CLONE_THREAD', child: 'w' }, { task: 'main', op: 'LDTILECFG' }, { task: 'main', op: 'TOUCH' }, { task: 'w', op: 'GET_PERM' }),
    at: 'run',
    step: 4,
    field: 'task',
    message: ['step 4', 'no longer running'],
  },
  {
    title: 'suspended vfork parent',
    input: scenario({ task: 'main', op: 'VFORK', child: 'c' }, { task: 'main', op: 'GET_PERM' }),
    at: 'run',
    step: 2,
    field: 'task',
    message: ['step 2', 'vfork'],
  },
  {
    title: 'child name already used',
    input: scenario({ task: 'main', op: 'CLONE_THREAD', child: 'w' }, { task: 'main', op: 'FORK', child: 'w' }),
    at: 'run',
    step: 2,
    field: 'child',
    message: ['step 2', '"w"'],
  },
  { title: 'SIGRETURN outside a handler', input: scenario({ task: 'main', op: 'SIGRETURN' }), at: 'run', step: 1, field: 'op', message: ['step 1', 'signal handler'] },
  {
    title: 'a SIGSEGV handler that requests permission',
    input: scenario({ task: 'main', op: 'SET_DISPOSITION', signal: 'SIGSEGV', handler: 'request-permission' }),
    at: 'run',
    step: 1,
    field: 'handler',
    message: ['step 1', 'SIGSEGV'],
  },
  {
    title: 'PREALLOC in linux',
    input: scenario({ task: 'main', op: 'REQ_PERM', feature: 18 }, { task: 'main', op: 'PREALLOC' }),
    at: 'run',
    step: 2,
    field: 'op',
    message: ['step 2', 'PREALLOC', 'linux'],
  },
  {
    title: 'PREALLOC in linux-fixed chosen by --variant',
    input: { json: { variant: 'prealloc-syscall', steps: [{ task: 'main', op: 'PREALLOC' }] }, variant: 'linux-fixed' },
    at: 'run',
    step: 1,
    field: 'op',
    message: ['step 1', 'linux-fixed'],
  },
];

function parse(input: BadInput['input']) {
  return typeof input === 'string' ? parseScenario(input) : toScenario(input.json, input.variant);
}

function errorOf(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError, but the input was accepted');
}

describe('bad scenarios', () => {
  it.each(BAD.map((b) => [b.title, b] as const))('%s', (_title, bad) => {
    const error =
      bad.at === 'parse'
        ? errorOf(() => parse(bad.input))
        : errorOf(() => {
            const parsed = parse(bad.input);
            return simulate(parsed);
          });
    if (bad.at === 'run') expect(() => parse(bad.input), 'valid until it runs').not.toThrow();
    expect({ step: error.step, field: error.field }).toEqual({ step: bad.step, field: bad.field });
    for (const words of bad.message) expect(error.message).toContain(words);
    expect(error.message).not.toContain('\n');
    expect(error.name).toBe('ScenarioError');
  });
});

describe('good scenarios', () => {
  it('fills in defaults, keeps notes, and a step survives stepToJson -> parse', () => {
    const s = toScenario({
      steps: [
        { task: 'main', op: 'LDTILECFG' },
        { task: 'main', op: 'SIGRETURN', note: 'why' },
        { task: 'main', op: 'EXEC' },
        { task: 'main', op: 'PTRACE_SETREGSET' },
        { op: 'OOM_BEGIN' },
      ],
    });
    expect(s.variant).toBe('linux');
    expect(s.steps.map((x) => x.fields)).toEqual([{ palette: 1 }, { tileBits: 'keep', xsaveHeader: 'intact' }, { fails: false }, { tileBits: 'data', length: 'full' }, {}]);
    expect(s.steps[1]?.note).toBe('why');
    expect(s.steps[4]?.task).toBeUndefined();
    const again = toScenario({ steps: s.steps.map(stepToJson) });
    expect(again.steps).toEqual(s.steps);
  });

  it('--variant wins over the variant in the file', () => {
    expect(toScenario({ variant: 'no-xfd', steps: [] }, 'linux-fixed').variant).toBe('linux-fixed');
    expect(parseScenario('{"variant": "no-xfd", "steps": []}').variant).toBe('no-xfd');
  });

  it('every op of the op table parses with its required fields and nothing else', () => {
    const sample = { integer: 18, name: 'child', boolean: true, bytes: 4096 } as const;
    for (const spec of OPS) {
      const raw: Record<string, unknown> = { op: spec.op, ...(spec.scope !== 'system' ? { task: 'main' } : {}) };
      for (const [name, f] of Object.entries(spec.fields)) {
        if (!f.required) continue;
        raw[name] = f.type.kind === 'enum' ? f.type.values[0] : sample[f.type.kind];
      }
      const [step] = toScenario({ steps: [raw] }).steps;
      expect(step?.op, spec.op).toBe(spec.op);
      // An optional field without a default stays absent, as in the explorer's steps.
      const filled = Object.entries(spec.fields).filter(([, f]) => f.required || f.default !== undefined).map(([name]) => name);
      expect(Object.keys(step?.fields ?? {}).sort(), spec.op).toEqual(filled.sort());
    }
  });
});
