// `amxstate exec-leak`: the kernel's exec leak measured here (AMX machines only), beside the model.

import { command, type OptionValues } from './command.js';
import { judgeExecLeak, MAX_EXECS, measureExecLeak, predictedLeaks } from '../kernel/exec-leak.js';
import { KernelUnavailableError } from '../kernel/executor.js';
import { EXIT, UsageError } from './exit.js';
import { QUIET_OPTION, formatSeconds, withProgressSync } from './progress.js';

interface ExecLeakValues extends OptionValues {
  execs: string;
  json: boolean;
  quiet?: boolean;
}

export const EXEC_LEAK = command<ExecLeakValues>({
  name: 'exec-leak',
  summary: "on a machine with AMX: does exec free a thread's AMX buffer? measured beside linux and linux-fixed",
  options: [
    { flags: '--execs <N>', description: `touch+exec children, at most ${MAX_EXECS} (each leaked buffer stays until reboot)`, default: String(MAX_EXECS) },
    { flags: '--json', description: 'predictions, measurement and verdict as one JSON object', default: false },
    QUIET_OPTION,
  ],
  run: runExecLeak,
});

export function runExecLeak(values: ExecLeakValues): number {
  const execs = Number(values.execs);
  if (!/^[0-9]+$/.test(values.execs ?? '') || execs < 1 || execs > MAX_EXECS)
    throw new UsageError(`exec-leak: --execs: expected 1 to ${MAX_EXECS} (each leaked buffer stays until reboot), got ${JSON.stringify(values.execs)}`);
  const predictions = { linux: predictedLeaks('linux', execs), 'linux-fixed': predictedLeaks('linux-fixed', execs) };
  const measured = withProgressSync('exec-leak', values.quiet, (progress) => {
    progress.update(`measuring ${execs} touch+exec children and ${execs} touch+exit controls (the first run builds the executor)`);
    const m = measureExecLeak(execs);
    // Where AMX is not usable nothing was measured: the one line below says so, and nothing more.
    if (m.amxUsable) progress.done(`measured ${execs} touch+exec children and ${execs} controls in ${formatSeconds(progress.elapsed())}`);
    return m;
  });
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
