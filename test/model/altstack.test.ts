// Altstacks in bytes, SS_AUTODISARM, the sigaltstack query, the stack a handler runs on and the
// altstack sigreturn puts back (issue 12, item 4). Every expected value is an answer of
// native/altstack-probe.c on Linux 6.18.44 (test/fixtures/altstack-probe-linux-6.18.jsonl), or of the
// kernel references; the model predicts with the profile measured on the same machine
// (test/fixtures/epyc-linux-6.18-platform.json, `amxstate platform --json` there).
// Rerun the probe: cc -O1 -pthread -o altstack-probe native/altstack-probe.c && ./altstack-probe

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { opSpec } from '../../machines/kernel-events.js';
import { ALTSTACK_CLASSES, SPR_LINUX_6_18 } from '../../machines/platform.js';
import { predict } from '../../src/conform/conform.js';
import type { Prediction } from '../../src/conform/compare.js';
import { resolvePlatform } from '../../src/platform/resolve.js';
import { toScenario, type StepValue } from '../../src/scenario/format.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

type ProbeAnswer = Readonly<Record<string, string | number | boolean>>;
const ANSWERS: ReadonlyMap<string, ProbeAnswer> = new Map(
  readFileSync(fixture('altstack-probe-linux-6.18.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const a = JSON.parse(l) as ProbeAnswer;
      return [String(a['probe']), a];
    }),
);

/** What the probe answered to `name`; a missing answer fails the test that asks. */
function probe(name: string): ProbeAnswer {
  const a = ANSWERS.get(name);
  if (!a) throw new Error(`no probe answer named ${JSON.stringify(name)}`);
  return a;
}

/** The query's fields as the probe printed them. */
function queried(name: string): { ss_size: number; ss_flags: string } {
  const a = probe(name);
  return { ss_size: Number(a['ss_size']), ss_flags: String(a['ss_flags']) };
}

const HOST = resolvePlatform(fixture('epyc-linux-6.18-platform.json'));

type Step = Record<string, StepValue>;
const main = (op: string, fields: Step = {}): Step => ({ task: 'main', op, ...fields });
const QUERY = main('SIGALTSTACK_QUERY');

function run(steps: readonly Step[], platform = HOST): readonly Prediction[] {
  return predict(toScenario({ steps }), platform);
}

/** The fields of a prediction that `want` names. */
function pick(o: Prediction | undefined, want: object): Record<string, unknown> {
  const fields = (o ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(want).map((k) => [k, fields[k]]));
}

describe('altstack sizes in bytes', () => {
  it('sigaltstack() refuses fewer bytes than MINSIGSTKSZ and takes the exact count from there', () => {
    const o = run([QUERY, main('SIGALTSTACK', { size: 2047 }), QUERY, main('SIGALTSTACK', { size: 2048 }), QUERY]);
    expect(o[0]).toMatchObject(queried('query before any sigaltstack'));
    expect(o[1]?.outcome).toBe(probe('sigaltstack 2047')['result']);
    expect(o[2]).toMatchObject(queried('query after sigaltstack 2047'));
    expect(o[3]?.outcome).toBe(probe('sigaltstack 2048')['result']);
    expect(o[4]).toMatchObject(queried('query after sigaltstack 2048'));
  });

  it('an altstack takes a frame only with a byte to spare: one byte less is an overflow, and the process dies of SIGSEGV', () => {
    const smallest = Number(probe('smallest altstack a SIGUSR1 frame is delivered on')['bytes']);
    const fate = (bytes: number) => run([main('SIGALTSTACK', { size: bytes }), main('SIGNAL', { onstack: true })])[1];
    const killed = { outcome: 'SIGSEGV', fatal: true };
    expect(probe(`deliver SIGUSR1 SA_ONSTACK on ${smallest - 1} bytes`)['fate']).toBe('killed by SIGSEGV');
    expect(pick(fate(smallest - 1), killed)).toEqual(killed);
    expect(probe(`deliver SIGUSR1 SA_ONSTACK on ${smallest} bytes`)['fate']).toBe('handler ran');
    expect(fate(smallest)).toMatchObject({ outcome: 'ok', stack: 'altstack' });
    // 2048 bytes: accepted by sigaltstack(), too small for any frame.
    expect(probe('deliver SIGUSR1 SA_ONSTACK on 2048 bytes')['fate']).toBe('killed by SIGSEGV');
    expect(pick(fate(2048), killed)).toEqual(killed);
  });

  it('a class name stands for the platform bytes of the class, and the explorer still chooses classes', () => {
    for (const c of ALTSTACK_CLASSES) {
      const steps = (size: StepValue) => [main('SIGALTSTACK', { size }), main('SIGNAL', { onstack: true }), QUERY];
      expect(run(steps(c), SPR_LINUX_6_18)).toEqual(run(steps(SPR_LINUX_6_18.altstackBytes[c]), SPR_LINUX_6_18));
    }
    const sizes = opSpec('SIGALTSTACK')!.explore.map((f) => f['size']);
    expect(sizes.every((s) => s === 'disable' || ALTSTACK_CLASSES.includes(s as (typeof ALTSTACK_CLASSES)[number]))).toBe(true);
  });

  it('refuses a size that is neither a byte count nor a name', () => {
    for (const size of [-1, 1.5, 'huge'])
      expect(() => toScenario({ steps: [main('SIGALTSTACK', { size })] })).toThrow(/byte count \(an integer from 0\) or one of small, window, large, disable/);
  });
});

describe('a handler on an altstack without SS_AUTODISARM', () => {
  const o = run([
    main('SIGALTSTACK', { size: 8192 }),
    main('SIGNAL', { onstack: true }),
    QUERY,
    main('SIGALTSTACK', { size: 16384 }),
    main('SIGRETURN'),
    QUERY,
  ]);

  it('runs on the altstack and sees SS_ONSTACK; sigaltstack() is EPERM there', () => {
    expect(o[1]?.outcome === 'ok' && 'stack' in o[1] ? o[1].stack === 'altstack' : false).toBe(probe('handler on an 8192-byte altstack')['onAltstack']);
    expect(o[2]).toMatchObject(queried('query inside that handler'));
    expect(o[3]?.outcome).toBe(probe('sigaltstack 16384 inside that handler')['result']);
  });

  it('leaves the altstack installed after sigreturn', () => {
    expect(o[5]).toMatchObject(queried('query after that handler returned'));
  });
});

describe('SS_AUTODISARM', () => {
  it('is reported by the query', () => {
    const o = run([main('SIGALTSTACK', { size: 3001, flags: 'autodisarm' }), QUERY, main('SIGALTSTACK', { size: 'disable' }), QUERY]);
    expect(o[0]?.outcome).toBe(probe('sigaltstack 3001 SS_AUTODISARM')['result']);
    expect(o[1]).toMatchObject(queried('query after sigaltstack 3001 SS_AUTODISARM'));
    expect(o[3]).toMatchObject(queried('query after SS_DISABLE'));
  });

  it('disarms the altstack while a handler runs on it, and sigreturn puts it back', () => {
    const o = run([main('SIGALTSTACK', { size: 8192, flags: 'autodisarm' }), main('SIGNAL', { onstack: true }), QUERY, main('SIGRETURN'), QUERY]);
    expect(o[1]).toMatchObject({ outcome: 'ok', stack: probe('handler on an 8192-byte SS_AUTODISARM altstack')['onAltstack'] ? 'altstack' : 'thread' });
    expect(o[2]).toMatchObject(queried('query inside the SS_AUTODISARM handler'));
    expect(o[4]).toMatchObject(queried('query after the SS_AUTODISARM handler returned'));
  });

  it('lets a handler on it install another altstack, which sigreturn undoes', () => {
    const o = run([main('SIGALTSTACK', { size: 8192, flags: 'autodisarm' }), main('SIGNAL', { onstack: true }), main('SIGALTSTACK', { size: 16384 }), main('SIGRETURN'), QUERY]);
    expect(o[2]?.outcome).toBe(probe('sigaltstack 16384 inside the SS_AUTODISARM handler')['result']);
    expect(o[4]).toMatchObject(queried('query after that SS_AUTODISARM handler returned'));
  });

  it('is disarmed by any delivery, a handler on the thread stack too', () => {
    const o = run([main('SIGALTSTACK', { size: 8192, flags: 'autodisarm' }), main('SIGNAL'), QUERY, main('SIGRETURN'), QUERY]);
    expect(o[1]).toMatchObject({ outcome: 'ok', stack: 'thread' });
    expect(o[2]).toMatchObject(queried('query inside a thread-stack handler with an SS_AUTODISARM altstack installed'));
    expect(o[4]).toMatchObject(queried('query after that thread-stack handler returned with SS_AUTODISARM'));
  });

  it('sends a nested SA_ONSTACK signal below the running handler, on the disarmed altstack', () => {
    const o = run([main('SIGALTSTACK', { size: 16384, flags: 'autodisarm' }), main('SIGNAL', { onstack: true }), main('SIGNAL', { onstack: true })]);
    expect(o[2]).toMatchObject({ outcome: 'ok', stack: probe('nested SA_ONSTACK signal in the SS_AUTODISARM handler')['onDisarmedAltstackMemory'] ? 'altstack' : 'thread' });
  });
});

describe('sigreturn puts back the altstack of delivery', () => {
  it('undoes a sigaltstack() made in a handler on the thread stack after SS_DISABLE', () => {
    const o = run([main('SIGALTSTACK', { size: 'disable' }), main('SIGNAL'), main('SIGALTSTACK', { size: 16384 }), main('SIGRETURN'), QUERY]);
    expect(o[1]).toMatchObject({ outcome: 'ok', stack: 'thread' });
    expect(o[2]?.outcome).toBe(probe('sigaltstack 16384 in a thread-stack handler, none installed at delivery')['result']);
    expect(o[4]).toMatchObject(queried('query after that thread-stack handler returned'));
  });

  // A saved altstack of 0 bytes is put back only when its flags say SS_DISABLE: otherwise it is a
  // request for 0 bytes, which fails (ignored), and the handler's altstack stays. So what sigreturn
  // does depends on how the thread came to have no altstack.
  const INSTALL_IN_HANDLER = (task: string): Step[] => [
    { task, op: 'SIGNAL' },
    { task, op: 'SIGALTSTACK', size: 16384 },
    { task, op: 'SIGRETURN' },
    { task, op: 'SIGALTSTACK_QUERY' },
  ];
  const HOW: readonly { who: string; task: string; before: Step[] }[] = [
    { who: 'never set', task: 'main', before: [] },
    { who: 'new thread', task: 't', before: [main('CLONE_THREAD', { child: 't' })] },
    { who: 'fork after SS_DISABLE', task: 'c', before: [main('SIGALTSTACK', { size: 'disable' }), main('FORK', { child: 'c' })] },
    { who: 'exec after sigaltstack 8192 SS_AUTODISARM', task: 'main', before: [main('SIGALTSTACK', { size: 8192, flags: 'autodisarm' }), main('EXEC')] },
    { who: 'exec after sigaltstack 8192', task: 'main', before: [main('SIGALTSTACK', { size: 8192 }), main('EXEC')] },
    { who: 'exec after SS_DISABLE', task: 'main', before: [main('SIGALTSTACK', { size: 'disable' }), main('EXEC')] },
  ];
  for (const { who, task, before } of HOW) {
    it(`keeps or undoes a handler's sigaltstack() as the kernel does: ${who}`, () => {
      const o = run([...before, ...INSTALL_IN_HANDLER(task)]);
      expect(o[before.length + 1]?.outcome).toBe(probe(`${who}: sigaltstack 16384 in a thread-stack handler`)['result']);
      expect(o[before.length + 3]).toMatchObject(queried(`${who}: query after that handler returned`));
    });
  }

  it('exec clears the size and keeps SS_AUTODISARM', () => {
    const o = run([main('SIGALTSTACK', { size: 8192, flags: 'autodisarm' }), main('EXEC'), QUERY]);
    expect(o[2]).toMatchObject(queried('exec after sigaltstack 8192 SS_AUTODISARM: query after exec'));
  });
});

describe('the query', () => {
  it('is a query of the op table, so QueriesArePure holds it to changing nothing', () => {
    expect(opSpec('SIGALTSTACK_QUERY')?.query).toBe(true);
  });
});
