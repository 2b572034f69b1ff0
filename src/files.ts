// Files: where the project is, and making the folders above an output file.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The folder holding package.json, found from this module whether it runs from src/ (tests, tsx) or dist/src/ (the CLI). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above this module');
    dir = up;
  }
  return dir;
}
