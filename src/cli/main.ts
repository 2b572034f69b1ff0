#!/usr/bin/env -S node --max-semi-space-size=64
// The amxstate executable: the command line of program.ts, on this process's arguments and streams.
// Its first line gives node a searching thread's young generation (src/check/young-generation.ts).

import { EXIT } from './exit.js';
import { main } from './program.js';

/**
 * Standard output that cannot be written: a reader that went away (EPIPE) ends the command quietly,
 * as other Unix tools do; anything else (a full disk) is one line and EXIT.outputFailed.
 */
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(141);
  process.stderr.write(`amxstate: cannot write standard output: ${e.code ?? e.message}\n`);
  process.exit(EXIT.outputFailed);
});

process.exitCode = await main(process.argv.slice(2));
