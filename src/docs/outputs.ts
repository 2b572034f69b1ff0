// Console blocks whose output is generated: in a doc,
//
//   <!-- BEGIN output: amxstate simulate scenarios/quickstart.json -->
//   ```console
//   $ npx amxstate simulate scenarios/quickstart.json
//   step  task    op ...
//   ```
//   <!-- END output -->
//
// The `$` lines (and the heredoc lines after one) are what the reader runs; src/docs/shell.ts runs
// them, and everything else in the block is replaced by what they print. The marker names the
// command: its words begin a program that every `$` line of the block runs (`amxstate ...` for
// `npx amxstate ...`, or `node ...`), so a message can say which block differs. Only commands whose
// output depends on the model alone may be generated: not `platform`, `conform`, `exec-leak` or
// `report`, not `check --timings`, not `--platform host`, and nothing that writes files. A command's
// standard error is shown only when it fails (then it is the one-line error): on success it is
// progress, with seconds in it.
// A block may be indented (inside a list item): the markers set the indentation of the whole block.

import { invocations, parseCommand, runCommand, ShellError, type ConsoleCommand, type Runner } from './shell.js';

/** One output block of a doc, as found. */
export interface OutputBlock {
  /** 1-based line of the BEGIN marker. */
  readonly line: number;
  readonly label: string;
  readonly indent: string;
  readonly commands: readonly ConsoleCommand[];
  /** The block's text between the fences, as the doc has it. */
  readonly body: readonly string[];
  /** Index of the first and one past the last line of the whole block (markers included) in the doc. */
  readonly start: number;
  readonly end: number;
}

/** What regenerating a doc's output blocks found. */
export interface OutputsResult {
  /** The doc with every block that could run regenerated (a block that could not is left as it was). */
  readonly text: string;
  /** `doc:line: ...` for each block whose output differs from the doc's. */
  readonly stale: readonly string[];
  /** `doc:line: ...` for each block that is malformed or cannot be generated. */
  readonly errors: readonly string[];
  readonly blocks: number;
}

const BEGIN = /^(\s*)<!-- BEGIN output: (.+?) -->$/;
const END = /^(\s*)<!-- END output -->$/;

/** Subcommands whose output depends on nothing but the model (and the command line itself). */
const MODEL_ONLY_COMMANDS = new Set(['simulate', 'diagram', 'paths', 'check', 'help']);

/** Why an amxstate command line may not be generated, or undefined when it may. */
export function machineDependence(args: readonly string[]): string | undefined {
  const command = args.find((a) => !a.startsWith('-'));
  if (command !== undefined && !MODEL_ONLY_COMMANDS.has(command)) {
    return `amxstate ${command} is not generated: its output depends on this machine or on time (only ${[...MODEL_ONLY_COMMANDS].join(', ')}, --help and --version are)`;
  }
  if (command === undefined && !args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V')) {
    return 'amxstate without a command prints its usage and exits 2; show --help instead';
  }
  const platform = args.findIndex((a) => a === '--platform' || a.startsWith('--platform='));
  const value = platform < 0 ? undefined : args[platform]!.includes('=') ? args[platform]!.split('=')[1] : args[platform + 1];
  if (value === 'host') return '--platform host is not generated: it measures this machine';
  if (args.includes('--timings')) return '--timings is not generated: the seconds change from run to run';
  if (args.some((a) => a === '--out' || a.startsWith('--out=') || a === '--record' || a === '--junit')) return 'a command that writes files is not generated';
  return undefined;
}

function fail(doc: string, line: number, message: string): never {
  throw new ShellError(`${doc}:${line}: ${message}`);
}

/** Finds the output blocks of a doc; throws ShellError naming the doc and line for a malformed one. */
export function findOutputBlocks(doc: string, text: string): OutputBlock[] {
  const lines = text.split('\n');
  const blocks: OutputBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (END.test(lines[i]!)) fail(doc, i + 1, 'an END output marker without a BEGIN');
    const m = BEGIN.exec(lines[i]!);
    if (!m) continue;
    const indent = m[1]!;
    const label = m[2]!.trim();
    const at = i + 1;
    if (lines[i + 1] !== `${indent}\`\`\`console`) fail(doc, at, `output block "${label}": the marker must be followed by ${indent}\`\`\`console`);
    const close = lines.findIndex((l, k) => k > i + 1 && l === `${indent}\`\`\``);
    if (close < 0) fail(doc, at, `output block "${label}": the console block is not closed`);
    if (!END.test(lines[close + 1] ?? '') || END.exec(lines[close + 1]!)![1] !== indent) {
      fail(doc, at, `output block "${label}": the closing fence must be followed by ${indent}<!-- END output -->`);
    }
    const body = lines.slice(i + 2, close);
    const stripped = body.map((l, k) => {
      if (l === '') return l;
      if (!l.startsWith(indent)) fail(doc, i + 3 + k, `output block "${label}": a line indented less than its markers`);
      return l.slice(indent.length);
    });
    const commands: ConsoleCommand[] = [];
    for (let k = 0; k < stripped.length; ) {
      const l = stripped[k]!;
      if (!l.startsWith('$ ')) {
        if (commands.length === 0) fail(doc, i + 3 + k, `output block "${label}": the block must start with a $ line`);
        k++;
        continue;
      }
      try {
        const { command, used } = parseCommand([...stripped.slice(0, k), l.slice(2), ...stripped.slice(k + 1)], k);
        commands.push(command);
        k += used;
      } catch (e) {
        fail(doc, i + 3 + k, `output block "${label}": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const words = label.split(/\s+/);
    commands.forEach((c, n) => {
      const runs = invocations(c);
      if (!runs.some((run) => words.every((w, k) => run[k] === w))) {
        fail(doc, at, `output block "${label}": its $ line ${n + 1} does not run ${label} (the marker names the command the block runs)`);
      }
      for (const run of runs) {
        const why = run[0] === 'amxstate' ? machineDependence(run.slice(1)) : undefined;
        if (why) fail(doc, at, `output block "${label}": ${why}`);
      }
    });
    blocks.push({ line: at, label, indent, commands, body, start: i, end: close + 2 });
    i = close + 1;
  }
  return blocks;
}

/** The block's body as it should read: each command as written, then what it prints now. */
export function generateBody(block: OutputBlock, runner: Runner): string[] {
  const out: string[] = [];
  for (const c of block.commands) {
    out.push(`$ ${c.line}`);
    if (c.heredoc) out.push(...c.heredoc.lines, c.heredoc.delimiter);
    const shown = runCommand(c, runner);
    const printed = shown === '' ? [] : shown.replace(/\n$/, '').split('\n');
    if (printed.some((l) => l.startsWith('```') || l.startsWith('$ '))) throw new ShellError('the output has a line starting with ``` or "$ ", which would break the block');
    out.push(...printed);
  }
  return out.map((l) => (l === '' ? l : `${block.indent}${l}`));
}

/** Where the doc's body and the generated one first differ, for the message. */
function firstDifference(doc: readonly string[], now: readonly string[]): string {
  for (let k = 0; k < Math.max(doc.length, now.length); k++) {
    if (doc[k] !== now[k]) {
      const show = (l: string | undefined) => (l === undefined ? '(nothing)' : JSON.stringify(l.trim().length > 100 ? `${l.trim().slice(0, 100)}...` : l.trim()));
      return `line ${k + 1} of the block reads ${show(doc[k])}, the command now prints ${show(now[k])}`;
    }
  }
  return 'they differ';
}

/** Regenerates every output block of a doc. */
export function regenerateOutputs(doc: string, text: string, runner: Runner): OutputsResult {
  let blocks: OutputBlock[];
  try {
    blocks = findOutputBlocks(doc, text);
  } catch (e) {
    return { text, stale: [], errors: [e instanceof Error ? e.message : String(e)], blocks: 0 };
  }
  const lines = text.split('\n');
  const stale: string[] = [];
  const errors: string[] = [];
  const replaced: string[] = [];
  let at = 0;
  for (const block of blocks) {
    replaced.push(...lines.slice(at, block.start + 2));
    let body: string[] = [...block.body];
    try {
      const now = generateBody(block, runner);
      if (now.join('\n') !== block.body.join('\n')) {
        stale.push(`${doc}:${block.line}: output of "${block.label}" is stale: ${firstDifference(block.body, now)}`);
        body = now;
      }
    } catch (e) {
      errors.push(`${doc}:${block.line}: output block "${block.label}": ${e instanceof Error ? e.message : String(e)}`);
    }
    replaced.push(...body, ...lines.slice(block.end - 2, block.end));
    at = block.end;
  }
  replaced.push(...lines.slice(at));
  return { text: replaced.join('\n'), stale, errors, blocks: blocks.length };
}
