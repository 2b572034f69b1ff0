// The amxstate command line: commander builds it from the commands' declarations (command.ts), so
// every command has --help, typos get suggestions, and every error is one line with an exit status
// of exit.ts. main.ts runs it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { VARIANT_NAMES } from '../../machines/variants.js';
import { PLATFORMS } from '../../machines/platform.js';
import { ScenarioError } from '../scenario/format.js';
import { InputError } from '../scenario/read.js';
import { describeValue, messageLine } from '../scenario/describe.js';
import { ManifestError } from '../check/check.js';
import { PlatformUsageError } from '../platform/resolve.js';
import { KernelUnavailableError } from '../kernel/measure.js';
import { RenderError, RendererUnavailableError } from '../diagram/render.js';
import { projectRoot } from '../files.js';
import type { CommandSpec, OptionValues } from './command.js';
import { CHECK } from './check-command.js';
import { SIMULATE } from './simulate-command.js';
import { DIAGRAM } from './diagram-command.js';
import { PATHS } from './paths-command.js';
import { REPORT } from './report-command.js';
import { PLATFORM } from './platform-command.js';
import { CONFORM } from './conform-command.js';
import { EXEC_LEAK } from './exec-leak-command.js';
import { EXIT, UsageError } from './exit.js';

export const COMMANDS: readonly CommandSpec[] = [CHECK, SIMULATE, DIAGRAM, PATHS, REPORT, PLATFORM, CONFORM, EXEC_LEAK];

const EPILOGUE = `
variants: ${VARIANT_NAMES.join(', ')}
platforms (--platform): ${Object.keys(PLATFORMS).join(', ')}, host (measured here), or FILE (a JSON measurement,
  as amxstate platform --json prints it)
exit status: 0 ok; 1 differs from machines/manifest.json (conform: the kernel diverges); 2 bad input;
  3 cannot run on this machine; 4 check stopped at --max-states, --max-memory or node's heap limit (nothing differs, nothing proven);
  5 standard output could not be written`;

function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** commander's message as one line: `amxstate: <command>: <what>`, its suggestion kept, what it quotes escaped. */
function oneLine(command: string | undefined, message: string): string {
  const text = message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean/, ' (did you mean')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `amxstate: ${messageLine(`${command ? `${command}: ` : ''}${text}`)}\n`;
}

/**
 * The one line for a bad input: `amxstate: <command>: <what>`. Messages that already start with the
 * command keep it once; every message passes messageLine(), so no control character, newline or
 * megabyte of echoed input reaches the terminal, whoever built it.
 */
function errorLine(command: string | undefined, message: string): string {
  const named = command === undefined || message.startsWith(`${command}: `) ? message : `${command}: ${message}`;
  return `amxstate: ${messageLine(named)}\n`;
}

/** Option values keyed by long names as the commands declare them (`max-states`), from commander's camelCase. */
function valuesOf(spec: CommandSpec, cmd: Command): OptionValues {
  const opts = cmd.opts<Record<string, string | boolean | undefined>>();
  const values: Record<string, string | boolean | undefined> = {};
  for (const o of spec.options) {
    const long = /--([a-z0-9-]+)/.exec(o.flags)?.[1];
    if (!long) continue;
    const camel = long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    // A flag without a value is false when not given.
    values[long] = opts[camel] ?? (o.flags.includes('<') ? undefined : false);
  }
  return values;
}

function program(setExit: (code: number) => void, running: (command: string) => void): Command {
  const root = new Command('amxstate')
    .description('A formal, executable model of how Linux handles Intel AMX dynamic user state.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .addHelpText('after', EPILOGUE)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(oneLine(undefined, message)) });
  for (const spec of COMMANDS) {
    const cmd = root
      .command(spec.operands ? `${spec.name} ${spec.operands}` : spec.name)
      .description(spec.summary)
      .helpOption('-h, --help', 'print this help')
      .allowExcessArguments(true)
      .configureOutput({ outputError: (message, write) => write(oneLine(spec.name, message)) });
    for (const o of spec.options) cmd.option(o.flags, o.description, o.default === false ? undefined : o.default);
    if (spec.details) cmd.addHelpText('after', `\n${spec.details}`);
    cmd.action(async (...args: unknown[]) => {
      const self = args.at(-1) as Command;
      // Operands beyond what the command takes are named, not counted.
      const takes = spec.operands === undefined ? 0 : spec.operands.includes('...') ? Number.POSITIVE_INFINITY : 1;
      const extra = self.args[takes];
      if (extra !== undefined) throw new UsageError(`${spec.name}: unexpected argument ${describeValue(extra)}${takes === 0 ? '' : ` (${spec.name} takes ${spec.operands})`}`);
      running(spec.name);
      setExit(await spec.run(valuesOf(spec, self), self.args));
    });
  }
  return root;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(`amxstate: missing command (one of ${COMMANDS.map((c) => c.name).join(', ')}); amxstate --help describes them\n`);
    return EXIT.badInput;
  }
  let code: number = EXIT.ok;
  let command: string | undefined;
  try {
    await program(
      (c) => (code = c),
      (name) => (command = name),
    ).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.badInput;
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof PlatformUsageError || e instanceof InputError || e instanceof ManifestError) {
      process.stderr.write(errorLine(command, e.message));
      return EXIT.badInput;
    }
    if (e instanceof RendererUnavailableError || e instanceof RenderError || e instanceof KernelUnavailableError) {
      process.stderr.write(errorLine(undefined, e.message));
      return EXIT.unsupported;
    }
    throw e;
  }
}
