// One of several processes that create the same new folders at the same moment (test/files.test.ts):
// argv: ROOT START_MS ROUNDS. Waits for START_MS, then for each round makes the parents of
// ROOT/r<round>/a/b/c/d/out.txt and writes its own file there. Exit 0, or 1 with the error's code.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeParents } from '../../src/files.js';

const [root, start, rounds] = process.argv.slice(2);
if (!root || !start || !rounds) throw new Error('usage: make-parents-worker ROOT START_MS ROUNDS');
while (Date.now() < Number(start)) {
  // Spin, so that every worker starts its first mkdir within the same millisecond or so.
}
try {
  for (let r = 0; r < Number(rounds); r++) {
    const file = join(root, `r${r}`, 'a', 'b', 'c', 'd', `out-${process.pid}.txt`);
    makeParents(file);
    writeFileSync(file, 'ok');
  }
} catch (e) {
  process.stderr.write(`${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
  process.exit(1);
}
