// One variant's search on a worker thread (pool.ts): checkVariant with the job's arguments, its
// progress and its result posted back to the thread that asked.

import { parentPort, workerData } from 'node:worker_threads';
import { platformProfile } from '../simulate/simulate.js';
import { checkVariant } from './check.js';
import type { CheckJob, WorkerMessage } from './pool.js';

const job = workerData as CheckJob;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
try {
  const result = checkVariant(job.variant, job.config, {
    platform: platformProfile(job.platform),
    reduction: job.reduction,
    ...(job.maxStates !== undefined ? { maxStates: job.maxStates } : {}),
    ...(job.maxMemoryBytes !== undefined ? { maxMemoryBytes: job.maxMemoryBytes } : {}),
    onProgress: (states, depth) => post({ kind: 'progress', states, depth }),
  });
  post({ kind: 'done', result });
} catch (e) {
  post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
