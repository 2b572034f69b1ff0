// `amxstate platform`: the running machine, measured by the executor (native/amxexec.c --platform).

import { spawnSync } from 'node:child_process';
import { ensureExecutor, KernelUnavailableError } from './executor.js';
import type { PlatformMeasurement } from '../../machines/measurement.js';

export { KernelUnavailableError } from './executor.js';

export function measureHost(): PlatformMeasurement {
  const binary = ensureExecutor();
  const r = spawnSync(binary, ['--platform'], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  if (r.error || r.status !== 0) throw new KernelUnavailableError(`measuring this machine failed: ${r.error?.message ?? r.stderr.trim() ?? `exit ${r.status}`}`);
  return JSON.parse(r.stdout) as PlatformMeasurement;
}
