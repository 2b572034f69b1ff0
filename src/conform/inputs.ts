// What `amxstate conform` runs: scenario files and folders, or by default the generated transition
// suite and the litmus corpus.

import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONFIGS } from '../explore/config.js';
import { projectRoot } from '../files.js';
import { generateSuite } from '../paths/suite.js';
import { ScenarioError, parseScenario, toScenario } from '../scenario/format.js';
import { InputError, readText, sourceName } from '../scenario/read.js';
import type { ConformCase } from './conform.js';

export class ConformInputError extends Error {}

function caseFromFile(file: string): ConformCase {
  let text: string;
  try {
    // The same reader as simulate: the size limit, strict UTF-8, a directory is EISDIR.
    text = readText(file);
  } catch (e) {
    if (e instanceof InputError) throw new ConformInputError(e.message);
    throw e;
  }
  try {
    const scenario = parseScenario(text);
    return { id: scenario.header?.id ?? basename(file, '.json'), file, scenario };
  } catch (e) {
    if (e instanceof ScenarioError) throw new ConformInputError(`${sourceName(file)}: ${e.message}`);
    throw e;
  }
}

/** The scenario files of a folder, in name order. */
function filesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** One case per file, or per .json file of a folder. */
export function casesFrom(path: string): ConformCase[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new ConformInputError(`cannot read ${sourceName(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return isDir ? filesIn(path).map(caseFromFile) : [caseFromFile(path)];
}

/** The litmus corpus shipped with the project (litmus/*.json). */
export function litmusCases(): ConformCase[] {
  return casesFrom(join(projectRoot(), 'litmus'));
}

/** The generated suite: a shortest scenario per reachable chart transition of `linux` on `default`. */
export function generatedCases(onProgress?: (states: number, depth: number) => void): ConformCase[] {
  return generateSuite('linux', CONFIGS['default']!, 'transition', undefined, onProgress ? { onProgress } : {}).tests.map((t) => ({ id: t.scenario.header.id, scenario: toScenario(t.scenario) }));
}
