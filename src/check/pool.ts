// The verdict matrix's variants checked side by side, one worker thread per CPU: each variant is a
// search of its own, sharing nothing with the others, so a machine with several CPUs finishes the
// matrix in the time of its largest variants. A search is a bounded one (checkVariant, or
// checkVariantThroughViews under --reduction views) or the view search for every thread count
// (checkVariantAnyThreads). The results are those of the same calls in
// this thread, in the order asked for, whatever order the workers finish in.

import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { PLATFORMS, type PlatformProfile } from '../../machines/platform.js';
import type { VariantName } from '../../machines/variants.js';
import type { ExploreConfig } from '../explore/config.js';
import { checkVariant, type CheckReduction, type VariantCheck } from './check.js';
import { checkVariantThroughViews } from './through-views.js';
import { checkVariantAnyThreads, type AnyThreadsCheck } from './counter-check.js';
import { platformProfile } from '../simulate/simulate.js';
import { searchWorker } from './young-generation.js';

/** How a search is bounded and reduced: checkVariant's options that a thread can receive as they are. */
export interface SearchBounds {
  readonly reduction?: CheckReduction;
  readonly maxStates?: number;
  readonly maxMemoryBytes?: number;
}

/** What every job names: the variant, the configuration, and the platform, in data a thread can receive. */
interface JobBase {
  readonly variant: VariantName;
  readonly config: ExploreConfig;
  /** A named profile by its name (so that the worker uses the very same object), a measured one whole. */
  readonly platform: string | PlatformProfile;
}

/** One variant's bounded search, as checkVariant's arguments. */
export interface BoundedJob extends JobBase, SearchBounds {
  readonly kind: 'bounded';
}

/** One variant's view search for every thread count, as checkVariantAnyThreads's arguments: it takes every step, so no reduction. */
export interface AnyThreadsJob extends JobBase, Omit<SearchBounds, 'reduction'> {
  readonly kind: 'any-threads';
}

/** What one worker is asked. */
export type CheckJob = BoundedJob | AnyThreadsJob;

/** A job's result, tagged with the kind of search that made it. */
export type JobResult = { readonly kind: 'bounded'; readonly check: VariantCheck } | { readonly kind: 'any-threads'; readonly check: AnyThreadsCheck };

/** What a search's progress counts: states, or the views of a view search. */
export type Found = 'states' | 'views';

/** A search's progress: how many it found, to what depth, and of what (states when not said). */
export type OnProgress = (states: number, depth: number, found?: Found) => void;

/** What a worker says: how far its search is, its result, or why it failed. */
export type WorkerMessage =
  | { readonly kind: 'progress'; readonly states: number; readonly depth: number; readonly found?: Found }
  | { readonly kind: 'done'; readonly result: JobResult }
  | { readonly kind: 'failed'; readonly message: string };

export interface PoolOptions<R = VariantCheck> {
  /** Searches at once; default: as many as the CPUs, never more than the jobs. */
  readonly jobs?: number;
  readonly onProgress?: (variant: VariantName, states: number, depth: number, found?: Found) => void;
  readonly onDone?: (result: R) => void;
}

/** How many searches run at once when --jobs is not given. */
export function defaultJobs(searches: number): number {
  return Math.max(1, Math.min(searches, availableParallelism()));
}

/** A job's search, run in this thread: what a worker runs for it. */
export function runSearch(job: CheckJob, onProgress?: OnProgress): JobResult {
  const progress = onProgress !== undefined ? { onProgress } : {};
  if (job.kind === 'any-threads') {
    const { kind: _kind, variant, config, platform, ...bounds } = job;
    return { kind: 'any-threads', check: checkVariantAnyThreads(variant, config, { ...bounds, ...progress, platform: platformProfile(platform) }) };
  }
  const { kind: _kind, variant, config, platform, reduction, ...bounds } = job;
  const options = { ...bounds, ...progress, platform: platformProfile(platform) };
  if (reduction === 'views') return { kind: 'bounded', check: checkVariantThroughViews(variant, config, options) };
  return { kind: 'bounded', check: checkVariant(variant, config, { ...options, ...(reduction !== undefined ? { reduction } : {}) }) };
}

/** The profile as a job carries it: by name when it is one of the named profiles. */
export function jobPlatform(platform: PlatformProfile): string | PlatformProfile {
  return Object.hasOwn(PLATFORMS, platform.name) && PLATFORMS[platform.name] === platform ? platform.name : platform;
}

/**
 * A worker for one lane of the pool, from the module beside this one: .js in dist/. Run from the
 * sources (tsx, the tests), it is .ts, which a worker's first module cannot be in Node 20: a line of
 * JavaScript registers tsx, then loads it. Its young generation is a searching thread's
 * (young-generation.ts).
 */
function startWorker(): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const file = new URL(`./check-worker${extension}`, import.meta.url);
  if (extension !== '.ts') return searchWorker(file);
  const tsx = import.meta.resolve('tsx/esm/api');
  const load = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return searchWorker(load, { eval: true });
}

/** One job on the lane's worker: its result, or why the worker could not give one. */
function runJob(worker: Worker, job: CheckJob, onProgress: PoolOptions['onProgress']): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerMessage) => {
      if (m.kind === 'progress') return onProgress?.(job.variant, m.states, m.depth, m.found);
      detach();
      if (m.kind === 'done') resolve(m.result);
      else reject(new Error(m.message));
    };
    const onError = (e: Error) => {
      detach();
      reject(e);
    };
    const onExit = (code: number) => {
      detach();
      reject(new Error(`the worker checking ${job.variant} stopped (exit code ${code}) before it had a result`));
    };
    const detach = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}

/**
 * Runs every job on worker threads, `jobs` lanes at a time, each lane one worker that takes the jobs
 * in turn, in the order of `byCost` (largest first, so that no large search starts last); resolves
 * to what `take` makes of each result, in the jobs' own order.
 */
async function inWorkers<R>(jobs: readonly CheckJob[], byCost: readonly VariantName[], options: PoolOptions<R>, take: (r: JobResult) => R): Promise<R[]> {
  const results = new Map<VariantName, R>();
  const rank = (v: VariantName) => (byCost.includes(v) ? byCost.indexOf(v) : byCost.length);
  const queue = [...jobs].sort((a, b) => rank(a.variant) - rank(b.variant));
  const lanes = Math.max(1, Math.min(options.jobs ?? defaultJobs(jobs.length), jobs.length));
  const workers = Array.from({ length: lanes }, startWorker);
  const lane = async (worker: Worker): Promise<void> => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const result = take(await runJob(worker, job, options.onProgress));
      results.set(job.variant, result);
      options.onDone?.(result);
    }
  };
  try {
    await Promise.all(workers.map(lane));
  } finally {
    // After a failure too: the other lanes' searches would only keep the command from ending.
    queue.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return jobs.map((j) => results.get(j.variant)!);
}

function bounded(r: JobResult): VariantCheck {
  if (r.kind !== 'bounded') throw new Error(`a worker answered a bounded search with a ${r.kind} one`);
  return r.check;
}

function anyThreads(r: JobResult): AnyThreadsCheck {
  if (r.kind !== 'any-threads') throw new Error(`a worker answered a view search with a ${r.kind} one`);
  return r.check;
}

/** Bounded searches on worker threads (inWorkers): the results of checkVariant, in the jobs' order. */
export function checkInWorkers(jobs: readonly BoundedJob[], byCost: readonly VariantName[], options: PoolOptions = {}): Promise<VariantCheck[]> {
  return inWorkers(jobs, byCost, options, bounded);
}

/** checkVariants' options: the search's bounds and platform, how many at once, and who hears how far it is. */
export interface VariantsOptions<R = VariantCheck> extends PoolOptions<R> {
  readonly platform: PlatformProfile;
  readonly bounds?: SearchBounds;
  /** The order to start them in, largest first; the variants' own order unless given. */
  readonly byCost?: readonly VariantName[];
}

/**
 * Every variant's search, `jobs` at a time on worker threads, or one after the other in this thread
 * where `jobs` is 1 (the default); `take`'s part of each result, in the variants' order either way.
 */
async function searchVariants<R>(jobs: readonly CheckJob[], options: VariantsOptions<R>, take: (r: JobResult) => R): Promise<R[]> {
  if ((options.jobs ?? 1) > 1) return inWorkers(jobs, options.byCost ?? jobs.map((j) => j.variant), options, take);
  return jobs.map((job) => {
    const onProgress = options.onProgress;
    const r = take(runSearch(job, onProgress ? (states, depth, found) => onProgress(job.variant, states, depth, found) : undefined));
    options.onDone?.(r);
    return r;
  });
}

/** Every variant's checkVariant (searchVariants). */
export function checkVariants(variants: readonly VariantName[], config: ExploreConfig, options: VariantsOptions): Promise<VariantCheck[]> {
  const platform = jobPlatform(options.platform);
  return searchVariants(
    variants.map((variant): BoundedJob => ({ kind: 'bounded', variant, config, platform, ...options.bounds })),
    options,
    bounded,
  );
}

/** Every variant's checkVariantAnyThreads (searchVariants): its bounds but the reduction, which the view search does not take. */
export function checkVariantsAnyThreads(variants: readonly VariantName[], config: ExploreConfig, options: VariantsOptions<AnyThreadsCheck>): Promise<AnyThreadsCheck[]> {
  const platform = jobPlatform(options.platform);
  const { reduction: _reduction, ...bounds } = options.bounds ?? {};
  return searchVariants(
    variants.map((variant): AnyThreadsJob => ({ kind: 'any-threads', variant, config, platform, ...bounds })),
    options,
    anyThreads,
  );
}
