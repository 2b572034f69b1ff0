// Output files of the commands.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates the missing directories above a file one by one. Node's `mkdirSync(dir, {recursive: true})`
 * spins forever where mkdir fails with ENOENT under an existing parent (as in /proc), so not that.
 */
export function makeParents(file: string): void {
  const missing: string[] = [];
  for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) mkdirSync(dir);
}
