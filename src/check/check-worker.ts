// A worker thread of the pool (pool.ts): takes one variant's search at a time, runs it with the
// job's arguments, and posts its progress and its result back. One worker serves several jobs in
// turn, so that the JIT warms up once per worker, not once per variant.

import { parentPort } from 'node:worker_threads';
import { runSearch, type CheckJob, type WorkerMessage } from './pool.js';

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

parentPort!.on('message', (job: CheckJob) => {
  try {
    post({ kind: 'done', result: runSearch(job, (states, depth, found) => post({ kind: 'progress', states, depth, ...(found !== undefined ? { found } : {}) })) });
  } catch (e) {
    post({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
});
