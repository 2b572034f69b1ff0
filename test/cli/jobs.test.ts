// How many variants `check` searches at once (docs/checking.md, --jobs): one per CPU by default,
// one at a time with --max-memory (its bound is per search), and what --jobs says, never more
// searches than variants.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseJobs, type CheckValues } from '../../src/cli/check-command.js';
import { UsageError } from '../../src/cli/exit.js';

const values = (more: Partial<CheckValues>): CheckValues => ({ config: 'default', json: false, counterexamples: false, ...more });

describe('check --jobs', () => {
  it('defaults to one search per CPU, never more than the variants', () => {
    expect(parseJobs(values({}), 5)).toBe(Math.min(5, availableParallelism()));
    expect(parseJobs(values({}), 1)).toBe(1);
  });
  it('defaults to one search at a time with --max-memory, unless --jobs says otherwise', () => {
    expect(parseJobs(values({ 'max-memory': '512' }), 5)).toBe(1);
    expect(parseJobs(values({ 'max-memory': '512', jobs: '3' }), 5)).toBe(3);
  });
  it('takes --jobs as given, capped at the variants, and refuses what is not a number from 1 to 64', () => {
    expect(parseJobs(values({ jobs: '4' }), 2)).toBe(2);
    expect(parseJobs(values({ jobs: '1' }), 5)).toBe(1);
    expect(() => parseJobs(values({ jobs: '0' }), 5)).toThrow(UsageError);
    expect(() => parseJobs(values({ jobs: '65' }), 5)).toThrow(UsageError);
  });
});
