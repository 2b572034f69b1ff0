// The small part of the shell that the docs' console blocks use, parsed and run without a shell, so
// that `npm run docs:check` gives the same bytes on every machine (no bash, util-linux column or
// locale involved). What a `$` line may hold:
//
//   npx amxstate ARGS                      the command line (run by Runner.amxstate)
//   node ARGS                              a Node script of the repository (run by Runner.node)
//   echo WORDS                             its words and a newline
//   paste -d'#' <(LIST) <(LIST)            two outputs joined line by line with '#'
//   column -t -s'#' -o ' | '               '#'-separated fields aligned into columns
//   A | B                                  a pipeline; every stage but the last must exit with 0
//   A; echo "exit $?"                      a list; $? is the status of the pipeline before
//   CMD <<'EOF'                            standard input from the lines below, up to EOF
//
// Anything else (other programs, redirections to files, variables) is refused with a reason.

/** What one program run left: its output streams and exit status. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
  /** The signal that ended the program (a timeout, a kill): then `status` is 128 and the run is not remembered. */
  readonly signal?: string;
}

/** Runs the two external programs a console line may name. */
export interface Runner {
  amxstate(args: readonly string[], stdin: string): RunResult;
  node(args: readonly string[], stdin: string): RunResult;
}

/** A console line the docs cannot run: bad syntax, an unsupported construct, a hidden failure. */
export class ShellError extends Error {}

/** A piece of a word: literal text, or `$?` inside double quotes. */
type Part = { readonly text: string } | { readonly status: true };

interface Word {
  readonly kind: 'word';
  readonly parts: readonly Part[];
}

interface ProcessSubstitution {
  readonly kind: 'procsub';
  readonly list: List;
}

type Arg = Word | ProcessSubstitution;

interface SimpleCommand {
  readonly args: readonly Arg[];
  /** The heredoc delimiter, when the command reads standard input from the lines below. */
  readonly heredoc?: string;
}

type Pipeline = readonly SimpleCommand[];
type List = readonly Pipeline[];

type Token =
  | { readonly kind: 'word'; readonly parts: readonly Part[] }
  | { readonly kind: 'op'; readonly op: '|' | ';' | '<(' | ')' | '<<' };

const SPECIAL = new Set([' ', '\t', '|', ';', '<', '>', '(', ')', '&', '`']);

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '|' || c === ';' || c === ')') {
      tokens.push({ kind: 'op', op: c });
      i++;
      continue;
    }
    if (line.startsWith('<(', i)) {
      tokens.push({ kind: 'op', op: '<(' });
      i += 2;
      continue;
    }
    if (line.startsWith('<<', i)) {
      tokens.push({ kind: 'op', op: '<<' });
      i += 2;
      continue;
    }
    if (SPECIAL.has(c)) throw new ShellError(`unsupported shell syntax at "${line.slice(i, i + 10)}" (see src/docs/shell.ts)`);
    // A word: bare characters and quoted pieces, up to a blank or an operator.
    const parts: Part[] = [];
    let text = '';
    while (i < line.length && !SPECIAL.has(line[i]!)) {
      const d = line[i]!;
      if (d === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new ShellError('unterminated single quote');
        text += line.slice(i + 1, end);
        i = end + 1;
      } else if (d === '"') {
        i++;
        for (;;) {
          if (i >= line.length) throw new ShellError('unterminated double quote');
          const e = line[i]!;
          if (e === '"') break;
          if (e === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
            text += line[i + 1]!;
            i += 2;
          } else if (line.startsWith('$?', i)) {
            if (text) parts.push({ text });
            text = '';
            parts.push({ status: true });
            i += 2;
          } else if (e === '$' || e === '`') {
            throw new ShellError(`unsupported expansion in double quotes at "${line.slice(i, i + 10)}"`);
          } else {
            text += e;
            i++;
          }
        }
        i++;
      } else if (d === '\\') {
        if (i + 1 >= line.length) throw new ShellError('a backslash at the end of the line');
        text += line[i + 1]!;
        i += 2;
      } else if (d === '$' || d === '*' || d === '?' || d === '[' || d === '~' || (d === '{' && text === '')) {
        throw new ShellError(`unsupported expansion at "${line.slice(i, i + 10)}"`);
      } else {
        text += d;
        i++;
      }
    }
    if (text) parts.push({ text });
    tokens.push({ kind: 'word', parts });
  }
  return tokens;
}

/** A word's text; $? is an error outside `echo`. */
function literal(w: Word, what: string): string {
  return w.parts
    .map((p) => {
      if ('status' in p) throw new ShellError(`$? is only shown by echo, not in ${what}`);
      return p.text;
    })
    .join('');
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parseLine(): List {
    const list = this.list();
    if (this.i < this.tokens.length) throw new ShellError('unexpected ")"');
    return list;
  }

  private peekOp(): string | undefined {
    const t = this.tokens[this.i];
    return t?.kind === 'op' ? t.op : undefined;
  }

  private list(): List {
    const pipelines: Pipeline[] = [this.pipeline()];
    while (this.peekOp() === ';') {
      this.i++;
      if (this.i >= this.tokens.length || this.peekOp() === ')') break;
      pipelines.push(this.pipeline());
    }
    return pipelines;
  }

  private pipeline(): Pipeline {
    const commands: SimpleCommand[] = [this.command()];
    while (this.peekOp() === '|') {
      this.i++;
      commands.push(this.command());
    }
    return commands;
  }

  private command(): SimpleCommand {
    const args: Arg[] = [];
    let heredoc: string | undefined;
    for (;;) {
      const t = this.tokens[this.i];
      if (!t) break;
      if (t.kind === 'word') {
        args.push({ kind: 'word', parts: t.parts });
        this.i++;
      } else if (t.op === '<(') {
        this.i++;
        const list = this.list();
        if (this.peekOp() !== ')') throw new ShellError('unterminated <(');
        this.i++;
        args.push({ kind: 'procsub', list });
      } else if (t.op === '<<') {
        this.i++;
        const d = this.tokens[this.i];
        if (d?.kind !== 'word' || heredoc !== undefined) throw new ShellError('<< needs one delimiter word');
        heredoc = literal({ kind: 'word', parts: d.parts }, 'a heredoc delimiter');
        this.i++;
      } else break;
    }
    if (args.length === 0) throw new ShellError('an empty command');
    return heredoc === undefined ? { args } : { args, heredoc };
  }
}

/** A `$` line of a console block, with the heredoc body it reads (if any), ready to run. */
export interface ConsoleCommand {
  /** The line as the doc shows it, without `$ `. */
  readonly line: string;
  /** The heredoc: its lines as the doc shows them, and the delimiter line that ends it. */
  readonly heredoc?: { readonly lines: readonly string[]; readonly delimiter: string };
  readonly list: List;
}

/**
 * Parses the command that starts at lines[start] (without its `$ `), with the heredoc lines that
 * follow it. Returns the command and the number of lines it took.
 */
export function parseCommand(lines: readonly string[], start: number): { command: ConsoleCommand; used: number } {
  const line = lines[start]!;
  const list = new Parser(tokenize(line)).parseLine();
  const delimiters = heredocs(list);
  if (delimiters.length > 1) throw new ShellError('more than one heredoc on a line');
  const delimiter = delimiters[0];
  if (delimiter === undefined) return { command: { line, list }, used: 1 };
  const end = lines.findIndex((l, k) => k > start && l === delimiter);
  if (end < 0) throw new ShellError(`the heredoc is not ended by a line "${delimiter}"`);
  return { command: { line, list, heredoc: { lines: lines.slice(start + 1, end), delimiter } }, used: end - start + 1 };
}

function heredocs(list: List): string[] {
  return list.flatMap((p) =>
    p.flatMap((c) => [
      ...(c.heredoc !== undefined ? [c.heredoc] : []),
      ...c.args.flatMap((a) => (a.kind === 'procsub' ? heredocs(a.list) : [])),
    ]),
  );
}

/** The programs a command runs, as words: ['amxstate', ...] for `npx amxstate`, ['node', ...] for node. */
export function invocations(command: ConsoleCommand): string[][] {
  const out: string[][] = [];
  const walk = (list: List) => {
    for (const pipeline of list) {
      for (const c of pipeline) {
        const words = c.args.filter((a): a is Word => a.kind === 'word').map((w) => w.parts.map((p) => ('text' in p ? p.text : '$?')).join(''));
        if (words[0] === 'npx') out.push(words.slice(1));
        else if (words[0] === 'node') out.push(words);
        for (const a of c.args) if (a.kind === 'procsub') walk(a.list);
      }
    }
  };
  walk(command.list);
  return out;
}

/** paste -d'#' with two inputs: line by line, a missing line empty. */
export function paste(a: string, b: string, delimiter: string): string {
  const left = lines(a);
  const right = lines(b);
  const n = Math.max(left.length, right.length);
  let out = '';
  for (let k = 0; k < n; k++) out += `${left[k] ?? ''}${delimiter}${right[k] ?? ''}\n`;
  return out;
}

/**
 * util-linux `column -t -s SEP -o OUT`: empty lines are dropped, each line is split at the separator,
 * every column but the last is padded to its widest cell, and the cells are joined by OUT.
 */
export function column(input: string, separator: string, outputSeparator: string): string {
  const rows = lines(input)
    .filter((l) => l !== '')
    .map((l) => l.split(separator));
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, k) => Math.max(0, ...rows.map((r) => [...(r[k] ?? '')].length)));
  return rows
    .map((r) =>
      Array.from({ length: n }, (_, k) => {
        const cell = r[k] ?? '';
        return k === n - 1 ? cell : cell + ' '.repeat(widths[k]! - [...cell].length);
      }).join(outputSeparator),
    )
    .map((l) => `${l}\n`)
    .join('');
}

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

interface Stage {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

class Evaluator {
  constructor(
    private readonly runner: Runner,
    private readonly heredocBody: string | undefined,
  ) {}

  /**
   * Runs a list; what the doc shows (each pipeline's stdout, then its stderr if it failed), and the
   * last status. The stderr of a pipeline that succeeded is progress and timings, never shown.
   */
  list(list: List): { shown: string; status: number } {
    let shown = '';
    let status = 0;
    let unshown: Stage | undefined;
    const hidden = (r: Stage) => {
      const said = r.stderr.trim().split('\n')[0];
      return new ShellError(`a command exits with ${r.status} and the line does not show it (add ; echo "exit $?")${said ? `; it said: ${said.slice(0, 200)}` : ''}`);
    };
    for (const pipeline of list) {
      if (unshown !== undefined && !showsStatus(pipeline)) throw hidden(unshown);
      unshown = undefined;
      const r = this.pipeline(pipeline, status);
      shown += r.stdout + (r.status !== 0 ? r.stderr : '');
      status = r.status;
      if (status !== 0) unshown = r;
    }
    if (unshown !== undefined) throw hidden(unshown);
    return { shown, status };
  }

  private pipeline(pipeline: Pipeline, lastStatus: number): Stage {
    let stdin: string | undefined;
    let stderr = '';
    let result: Stage = { stdout: '', stderr: '', status: 0 };
    pipeline.forEach((command, k) => {
      if (command.heredoc !== undefined) {
        if (stdin !== undefined) throw new ShellError('a command reads both a pipe and a heredoc');
        stdin = this.heredocBody;
      }
      result = this.command(command, stdin ?? '', lastStatus);
      stderr += result.stderr;
      if (k < pipeline.length - 1 && result.status !== 0) {
        throw new ShellError(`"${wordsOf(command).join(' ')}" exits with ${result.status} inside a pipeline, where the doc cannot show it`);
      }
      stdin = result.stdout;
    });
    return { stdout: result.stdout, stderr, status: result.status };
  }

  /** The arguments of a command, process substitutions run to their output. */
  private args(command: SimpleCommand, lastStatus: number): { words: string[]; files: (string | undefined)[] } {
    const words: string[] = [];
    const files: (string | undefined)[] = [];
    for (const a of command.args) {
      if (a.kind === 'word') {
        words.push(a.parts.map((p) => ('text' in p ? p.text : String(lastStatus))).join(''));
        files.push(undefined);
      } else {
        const r = new Evaluator(this.runner, this.heredocBody).list(a.list);
        words.push('<(...)');
        files.push(r.shown);
      }
    }
    return { words, files };
  }

  private command(command: SimpleCommand, stdin: string, lastStatus: number): Stage {
    const { words, files } = this.args(command, lastStatus);
    const [program, ...rest] = words;
    const plain = (what: string) => {
      if (files.some((f) => f !== undefined)) throw new ShellError(`${what} takes no <(...)`);
      return rest;
    };
    switch (program) {
      case 'npx': {
        const args = plain('npx');
        if (args[0] !== 'amxstate') throw new ShellError(`npx runs only amxstate here, not ${args[0] ?? 'nothing'}`);
        return this.runner.amxstate(args.slice(1), stdin);
      }
      case 'node':
        return this.runner.node(plain('node'), stdin);
      case 'echo': {
        const args = plain('echo');
        if (args[0]?.startsWith('-')) throw new ShellError('echo takes no options here');
        return { stdout: `${args.join(' ')}\n`, stderr: '', status: 0 };
      }
      case 'paste': {
        const d = /^-d(.)$/.exec(rest[0] ?? '');
        const a = files[2];
        const b = files[3];
        if (!d || rest.length !== 3 || a === undefined || b === undefined) throw new ShellError("paste is supported only as paste -d'X' <(...) <(...)");
        return { stdout: paste(a, b, d[1]!), stderr: '', status: 0 };
      }
      case 'column': {
        const args = plain('column');
        const s = /^-s(.)$/.exec(args[1] ?? '');
        if (args.length !== 4 || args[0] !== '-t' || !s || args[2] !== '-o') throw new ShellError("column is supported only as column -t -s'X' -o 'SEP'");
        return { stdout: column(stdin, s[1]!, args[3]!), stderr: '', status: 0 };
      }
      default:
        throw new ShellError(`${program ?? 'nothing'} is not a program the docs can run (npx amxstate, node, echo, paste, column)`);
    }
  }
}

function wordsOf(command: SimpleCommand): string[] {
  return command.args.map((a) => (a.kind === 'word' ? a.parts.map((p) => ('text' in p ? p.text : '$?')).join('') : '<(...)'));
}

/** Whether a pipeline is the `echo ... $? ...` that shows the status before it. */
function showsStatus(pipeline: Pipeline): boolean {
  const first = pipeline[0];
  return (
    pipeline.length === 1 &&
    first !== undefined &&
    wordsOf(first)[0] === 'echo' &&
    first.args.some((a) => a.kind === 'word' && a.parts.some((p) => 'status' in p))
  );
}

/**
 * Runs a console command and returns what the doc shows: for each pipeline its standard output, then,
 * when it failed, its standard error (the one-line error). A successful command's standard error is
 * progress (with seconds in it), so it is left out. Throws ShellError for a line it cannot run or a
 * failure the line does not show.
 */
export function runCommand(command: ConsoleCommand, runner: Runner): string {
  const body = command.heredoc ? command.heredoc.lines.map((l) => `${l}\n`).join('') : undefined;
  return new Evaluator(runner, body).list(command.list).shown;
}
