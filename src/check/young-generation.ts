// How large V8's young generation may grow in a thread that searches. A search makes a new state and
// a few short-lived objects per transition, and keeps the new states queued until it takes them. With
// Node's default semi-space (16 MiB), a scavenge comes every few hundred states and copies the
// queued states, which then die in old space; one of 64 MiB lets most of them die young. On any x 3
// by units that cut the search's CPU time by a quarter to a third, on --threads any by a tenth
// (`npm run bench` prints both settings side by side). The threads that search get it two ways: a
// worker of the pool through its resource limits, the main thread through node's flag, which the
// executable's first line and the npm scripts pass (a test checks that they all say this number).

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The semi-space of a thread that searches, in MiB. */
export const SEARCH_SEMI_SPACE_MIB = 64;

/** The node flag that gives the main thread that semi-space. */
export const SEARCH_NODE_FLAG = `--max-semi-space-size=${SEARCH_SEMI_SPACE_MIB}`;

/**
 * A worker thread with that semi-space, through its resource limits: V8's young generation is three
 * semi-spaces (the two it copies between, and as much again for large objects).
 */
export function searchWorker(source: URL | string, options: WorkerOptions = {}): Worker {
  return new Worker(source, { ...options, resourceLimits: { maxYoungGenerationSizeMb: 3 * SEARCH_SEMI_SPACE_MIB } });
}
