// A worker thread of the pool (pool.ts): takes one variant's search at a time, runs checkVariant
// with the job's arguments, and posts its progress and its result back. One worker serves several
// jobs in turn, so that the JIT warms up once per worker, not once per variant.

import { parentPort } from 'node:worker_threads';
import { platformProfile } from '../simulate/simulate.js';
import { checkVariant } from './check.js';
import type { CheckJob, WorkerMessage } from './pool.js';

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

parentPort!.on('message', (job: CheckJob) => {
  try {
    const { variant, config, platform, ...bounds } = job;
    const result = checkVariant(variant, config, { ...bounds, platform: platformProfile(platform), onProgress: (states, depth) => post({ kind: 'progress', states, depth }) });
    post({ kind: 'done', result });
  } catch (e) {
    post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
});
