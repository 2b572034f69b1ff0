// Test support: the litmus corpus (litmus/*.json). Each file is a scenario whose header says, per
// platform profile, what the kernel was observed to do; rows of the reference documents carry the
// row id too. The model tests read their cases from here, and `amxstate conform` runs the same files
// on the kernel at hand.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawStep, RunExpectation } from './scenario.js';

export const LITMUS_DIR = fileURLToPath(new URL('../../litmus/', import.meta.url));

export interface LitmusHeader {
  readonly id: string;
  readonly question: string;
  readonly source: string;
  /** The row of the reference document the file holds ("5f", "E10", "N13"), if it holds one. */
  readonly row?: string;
  /** Where the expected values come from, for a row: observed, semantics, observed+semantics, observed+sdm. */
  readonly basis?: string;
  /** A second case of a row whose expected values also rest on a rule the row does not measure. */
  readonly derived?: boolean;
  readonly results: Readonly<Record<string, RunExpectation>>;
}

export interface LitmusFile {
  readonly file: string;
  readonly header: LitmusHeader;
  readonly steps: readonly RawStep[];
}

export function litmusFiles(): LitmusFile[] {
  return readdirSync(LITMUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const doc = JSON.parse(readFileSync(join(LITMUS_DIR, file), 'utf8')) as { header: LitmusHeader; steps: RawStep[] };
      return { file, header: doc.header, steps: doc.steps };
    });
}

/** A row case: a litmus file of one reference document's row, with its expectation on one platform. */
export interface RowCase {
  readonly row: string;
  readonly derived: boolean;
  readonly source: string;
  readonly title: string;
  readonly steps: readonly RawStep[];
  readonly expect: RunExpectation;
}

/** The row cases of the files whose id starts with `prefix` ("observed-", "semantics-", "no-amx-"), on `platform`. */
export function rowCases(prefix: string, platform: string): RowCase[] {
  return litmusFiles()
    .filter((l) => l.header.id.startsWith(prefix) && l.header.row !== undefined && l.header.results[platform] !== undefined)
    .map((l) => ({ row: l.header.row!, derived: l.header.derived === true, source: l.header.basis ?? 'observed', title: l.header.question, steps: l.steps, expect: l.header.results[platform]! }));
}
