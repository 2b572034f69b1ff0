import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Vitest's default is one worker fewer than the CPUs: on a 2-CPU machine, one file at a time. The
    // tests are CPU-bound searches and CLI runs that wait on child processes, so two workers there
    // halve the wall time of `npm test` without starving anything.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
