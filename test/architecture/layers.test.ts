// The code's layers: data flows one way, from the charts up to the command line and the docs. Every
// import of machines/, src/ and bench/ is read here (type-only and dynamic imports included: a type
// import ties a module to another's definitions just as much) and held against LAYERS, lowest first.
// A folder may import its own files and any folder of a lower layer; an import of its own layer or of
// one above it runs against the flow, and any cycle between folders is reported with its imports.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Layer {
  readonly name: string;
  /** Folders (`src/model`, `machines`) and single files directly in src/ (`src/own.ts`). */
  readonly units: readonly string[];
  /** Why the layer sits where it does: what it reads from below and who reads it from above. */
  readonly why: string;
}

/** Lowest first. Folders of one layer are peers: neither may import the other. */
const LAYERS: readonly Layer[] = [
  {
    name: 'foundation',
    units: ['src/own.ts', 'src/files.ts', 'src/xml.ts'],
    why: 'leaf helpers (own-entry lookup tables, the project root and output folders, the XML escape) that every layer may use, the machines included; they import nothing of the project',
  },
  { name: 'machines', units: ['machines'], why: 'the statecharts, platform profiles, variants and the ops: what everything else is about' },
  { name: 'scenario', units: ['src/scenario'], why: 'the step and scenario format over the ops; the model composes steps, every command reads scenarios' },
  { name: 'model', units: ['src/model'], why: 'the composition of the charts into a system, and the charts as graphs (chart-graph.ts)' },
  { name: 'search and simulation', units: ['src/explore', 'src/simulate'], why: 'breadth-first exploration (with the shape of a property it checks) and one scenario run through the model' },
  { name: 'properties and the kernel', units: ['src/properties', 'src/kernel'], why: 'the property catalogue over explored transitions; the native executor, which encodes scenarios and simulates to compare' },
  { name: 'checking and coverage', units: ['src/check', 'src/coverage', 'src/platform'], why: 'the verdict matrix over the catalogue; which chart transitions a run took; --platform, measured through the kernel' },
  { name: 'paths and diagrams', units: ['src/paths', 'src/diagram'], why: 'the generated suite (a path per covered transition) and the pictures, which paint coverage as marks' },
  { name: 'conformance', units: ['src/conform'], why: 'the model against the kernel, on litmus files and the generated suite' },
  { name: 'reports', units: ['src/kselftest', 'src/report'], why: 'kselftest sources from conformance cases; the HTML report of checks, diagrams and conformance runs' },
  { name: 'command line', units: ['src/cli'], why: 'one module per command over everything below' },
  { name: 'docs and benchmarks', units: ['src/docs', 'bench'], why: 'the docs run the commands and paste their output; the benchmarks time the layers below' },
];

interface Import {
  /** The importing file, relative to the project root: `src/explore/explore.ts`. */
  readonly file: string;
  /** The specifier as written: `../properties/catalogue.js`. */
  readonly specifier: string;
  /** The file it names, relative to the project root: `src/properties/catalogue.ts`. */
  readonly target: string;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => posix.relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** Every import of the project's own files; packages (`xstate`, `node:fs`) are no layer's business. */
function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ file, specifier, target: posix.normalize(posix.join(dirname(file), specifier)).replace(/\.js$/, '.ts') }));
}

/** The folder or foundation file a path belongs to, or undefined outside machines/, src/ and bench/. */
function unitOf(path: string): string | undefined {
  const [top, second] = path.split('/');
  if (top === 'machines' || top === 'bench') return top;
  // src/model/system.ts belongs to src/model; src/own.ts, directly in src/, is a unit of its own.
  return top === 'src' && second !== undefined ? `src/${second}` : undefined;
}

function layerIndex(layers: readonly Layer[]): Map<string, number> {
  return new Map(layers.flatMap((layer, rank) => layer.units.map((unit) => [unit, rank] as const)));
}

const describeImport = (i: Import) => `${i.file} -> ${i.specifier}`;

/** Each import that leaves its folder for a folder that is not in a lower layer, with both layers named. */
function againstTheFlow(imports: readonly Import[], layers: readonly Layer[]): string[] {
  const rank = layerIndex(layers);
  const offending: string[] = [];
  for (const i of imports) {
    const from = unitOf(i.file);
    const to = unitOf(i.target);
    if (from === undefined || from === to) continue;
    const fromRank = rank.get(from);
    const toRank = to === undefined ? undefined : rank.get(to);
    if (fromRank === undefined) continue; // reported by the test that every folder has a layer
    if (to === undefined || toRank === undefined) {
      offending.push(`${describeImport(i)}: ${i.target} is in no layer`);
    } else if (toRank >= fromRank) {
      const where = toRank === fromRank ? 'its own layer' : 'a higher layer';
      offending.push(`${describeImport(i)}: ${from} (${layers[fromRank]!.name}) imports ${to}, ${where} (${layers[toRank]!.name})`);
    }
  }
  return offending;
}

/**
 * The cycles between folders, whatever the layers say: each strongly connected group of two or more
 * folders (Tarjan), as the imports that tie it together.
 */
function folderCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const from = unitOf(i.file);
    const to = unitOf(i.target);
    if (from === undefined || to === undefined || from === to) continue;
    const out = edges.get(from) ?? new Map<string, Import>();
    if (!out.has(to)) out.set(to, i);
    edges.set(from, out);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (unit: string) => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit)!);
    stack.push(unit);
    onStack.add(unit);
    for (const next of [...(edges.get(unit)?.keys() ?? [])].sort()) {
      if (!index.has(next)) {
        visit(next);
        low.set(unit, Math.min(low.get(unit)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(unit, Math.min(low.get(unit)!, index.get(next)!));
      }
    }
    if (low.get(unit) !== index.get(unit)) return;
    const group: string[] = [];
    for (let u = stack.pop(); u !== undefined; u = u === unit ? undefined : stack.pop()) {
      onStack.delete(u);
      group.push(u);
    }
    if (group.length > 1) groups.push(group.sort());
  };
  for (const unit of [...edges.keys()].sort()) if (!index.has(unit)) visit(unit);
  return groups.map((group) =>
    group.flatMap((from) =>
      [...(edges.get(from) ?? new Map<string, Import>()).entries()].filter(([to]) => group.includes(to)).map(([, i]) => describeImport(i)),
    ),
  );
}

const FILES = ['machines', 'src', 'bench'].flatMap(sourceFiles);
const IMPORTS = FILES.flatMap(importsOf);

describe('the layers of the code', () => {
  it('reads the imports of every source file', () => {
    // A reader that found nothing would pass every check below.
    expect(FILES.length).toBeGreaterThan(50);
    expect(IMPORTS.map(describeImport)).toContain('src/explore/explore.ts -> ./property.js');
  });

  it('places every folder of machines/, src/ and bench/ in exactly one layer, and names no folder that is gone', () => {
    const units = [...new Set(FILES.map((f) => unitOf(f)!))].sort();
    const placed = LAYERS.flatMap((l) => l.units);
    expect(units.filter((u) => !placed.includes(u)), 'folders in no layer').toEqual([]);
    expect(placed.filter((u) => !units.includes(u)), 'layers naming no folder').toEqual([]);
    expect(placed.length, 'a folder in two layers').toBe(new Set(placed).size);
  });

  it('has no import against the flow', () => {
    expect(againstTheFlow(IMPORTS, LAYERS)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(IMPORTS)).toEqual([]);
  });

  it('keeps the foundation free of imports of the project', () => {
    const foundation = LAYERS[0]!.units;
    expect(IMPORTS.filter((i) => foundation.includes(unitOf(i.file)!)).map(describeImport)).toEqual([]);
  });
});

describe('the layer checks themselves', () => {
  // Imports that never existed, so that the checks above are seen to fail where they should.
  const upward: Import = { file: 'src/model/system.ts', specifier: '../cli/main.js', target: 'src/cli/main.ts' };
  const sideways: Import = { file: 'src/explore/explore.ts', specifier: '../simulate/simulate.js', target: 'src/simulate/simulate.ts' };
  const intoTests: Import = { file: 'src/check/check.ts', specifier: '../../test/support/steps.js', target: 'test/support/steps.ts' };
  const downward: Import = { file: 'src/cli/main.ts', specifier: '../model/system.js', target: 'src/model/system.ts' };

  it('reports an import of a higher layer, of its own layer and of no layer, each as file -> import', () => {
    expect(againstTheFlow([upward, sideways, intoTests, downward], LAYERS)).toEqual([
      'src/model/system.ts -> ../cli/main.js: src/model (model) imports src/cli, a higher layer (command line)',
      'src/explore/explore.ts -> ../simulate/simulate.js: src/explore (search and simulation) imports src/simulate, its own layer (search and simulation)',
      'src/check/check.ts -> ../../test/support/steps.js: test/support/steps.ts is in no layer',
    ]);
  });

  it('reports a cycle between folders with the imports that close it, and none for a chain', () => {
    const back: Import = { file: 'src/cli/program.ts', specifier: '../model/system.js', target: 'src/model/system.ts' };
    expect(folderCycles([upward, back])).toEqual([['src/cli/program.ts -> ../model/system.js', 'src/model/system.ts -> ../cli/main.js']]);
    expect(folderCycles([upward, downward, sideways])).toEqual([['src/cli/main.ts -> ../model/system.js', 'src/model/system.ts -> ../cli/main.js']]);
    expect(folderCycles([downward, sideways])).toEqual([]);
  });
});
