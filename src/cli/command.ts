// What every amxstate command declares: its name, operands and options, each with the words `--help`
// prints, and the function that runs it. main.ts builds the command line from these with commander.
// The options several commands take are declared, and their values checked, here once.

import { VARIANT_NAMES, isVariantName, type VariantName } from '../../machines/variants.js';
import { CONFIGS, type ExploreConfig } from '../explore/config.js';
import { UsageError } from './exit.js';
import { quoted } from './quote.js';

/** One option: commander flags (`--config <NAME>`, `--json`), what it does, and its default. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: string | boolean;
}

/** Option values keyed by their long names as written (`max-states`, not `maxStates`). */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandSpec<V extends OptionValues = OptionValues> {
  readonly name: string;
  /** Operands as commander spells them: `[FILE]`, `[PATH...]`; none when absent. */
  readonly operands?: string;
  readonly summary: string;
  /** More text for `amxstate <command> --help`, after the options. */
  readonly details?: string;
  readonly options: readonly OptionSpec[];
  /** Returns the exit status (src/cli/exit.ts). */
  run(values: V, operands: readonly string[]): number | Promise<number>;
}

/** Options several commands take, worded once. */
export const VARIANT_OPTION: OptionSpec = { flags: '--variant <V>', description: 'the design variant', default: 'linux' };
export const CONFIG_OPTION: OptionSpec = { flags: '--config <NAME>', description: `exploration bounds: ${Object.keys(CONFIGS).join(', ')}`, default: 'default' };
export const PLATFORM_OPTION: OptionSpec = { flags: '--platform <P>', description: 'platform profile: a name, host (measured here) or a measurement FILE' };

/** --config NAME (or diagram's --coverage NAME): the configuration; `default` when not given. */
export function configOption(command: string, name: string | undefined, option = 'config'): ExploreConfig {
  const config = CONFIGS[name ?? 'default'];
  if (!config) throw new UsageError(`${command}: --${option}: unknown configuration ${quoted(String(name))} (one of ${Object.keys(CONFIGS).join(', ')})`);
  return config;
}

/** --variant V: the design variant. */
export function variantOption(command: string, name: string): VariantName {
  if (!isVariantName(name)) throw new UsageError(`${command}: --variant: unknown variant ${quoted(name)} (one of ${VARIANT_NAMES.join(', ')})`);
  return name;
}

/** A spec with its own value type, as the table of commands holds it. */
export function command<V extends OptionValues>(spec: CommandSpec<V>): CommandSpec {
  return spec as unknown as CommandSpec;
}
