// Renders DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no binary to install.
// The SVG comes without XML prolog, doctype or generator comments, so it can be inlined in HTML,
// and the same DOT always gives the same bytes.

import { instance, type Viz } from '@viz-js/viz';

/** Graphviz could not be loaded here (the WebAssembly module failed to start). */
export class RendererUnavailableError extends Error {
  override readonly name = 'RendererUnavailableError';
}

/** The DOT text was refused by Graphviz: a bug in the DOT writer, never bad user input. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

let viz: Promise<Viz> | undefined;

/** One Graphviz instance per process: starting the WebAssembly module is the slow part. */
function graphviz(): Promise<Viz> {
  viz ??= instance().catch((e: unknown) => {
    viz = undefined;
    throw new RendererUnavailableError(`cannot start Graphviz (@viz-js/viz): ${e instanceof Error ? e.message : String(e)}`);
  });
  return viz;
}

/** Everything before the `<svg` element: the XML prolog, the doctype and Graphviz's comments. */
export function stripProlog(svg: string): string {
  const start = svg.indexOf('<svg');
  return start < 0 ? svg : svg.slice(start);
}

export async function renderSvg(dot: string): Promise<string> {
  const g = await graphviz();
  const result = g.render(dot, { format: 'svg' });
  if (result.status !== 'success') {
    const why = result.errors.map((e) => e.message.trim()).filter((m) => m !== '').join('; ');
    throw new RenderError(`Graphviz refused the DOT: ${why || 'no reason given'}`);
  }
  return stripProlog(result.output);
}
