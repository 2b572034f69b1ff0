// `amxstate exec-leak`: the kernel's exec leak measured here (AMX machines only), beside the model.

import { parseArgs } from 'node:util';
import { judgeExecLeak, MAX_EXECS, measureExecLeak, predictedLeaks } from '../kernel/exec-leak.js';
import { KernelUnavailableError } from '../kernel/executor.js';
import { EXIT } from './exit.js';

export class ExecLeakUsageError extends Error {}

export function runExecLeak(args: string[]): number {
  const { values } = parseArgs({ args, options: { execs: { type: 'string', default: String(MAX_EXECS) }, json: { type: 'boolean', default: false } }, strict: true });
  const execs = Number(values.execs);
  if (!/^[0-9]+$/.test(values.execs ?? '') || execs < 1 || execs > MAX_EXECS)
    throw new ExecLeakUsageError(`exec-leak: --execs: expected 1 to ${MAX_EXECS} (each leaked buffer stays until reboot), got ${JSON.stringify(values.execs)}`);
  const predictions = { linux: predictedLeaks('linux', execs), 'linux-fixed': predictedLeaks('linux-fixed', execs) };
  const measured = measureExecLeak(execs);
  const judgement = judgeExecLeak(measured);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ execs, predictions, measured, judgement }, null, 2)}\n`);
  } else {
    const lines = [`model: ${execs} touch+exec children orphan ${predictions.linux} buffers on linux, ${predictions['linux-fixed']} on linux-fixed`];
    if (judgement) {
      const agrees = judgement.verdict === 'exec leaks' ? 'linux' : judgement.verdict === 'exec frees' ? 'linux-fixed' : 'neither, clearly';
      lines.push(
        `kernel: ${judgement.orphaned} buffers stayed after ${execs} touch+exec children, ${judgement.control} after ${execs} touch+exit controls (from ${judgement.basis})`,
        `${judgement.verdict}: the kernel agrees with ${agrees}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (!judgement) {
    if (!values.json) process.stderr.write(`amxstate: exec-leak: AMX is not usable on this machine${measured.error ? ` (${measured.error})` : ''}, so there is no buffer to leak: nothing was measured\n`);
    return EXIT.unsupported;
  }
  return EXIT.ok;
}
