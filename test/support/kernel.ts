// Test support: whether the native executor can run here, and why not (one line for the skip).

import { ensureExecutor, KernelUnavailableError } from '../../src/kernel/executor.js';

export function executorUnavailable(): string | undefined {
  try {
    ensureExecutor();
    return undefined;
  } catch (e) {
    if (e instanceof KernelUnavailableError) return e.message;
    throw e;
  }
}
