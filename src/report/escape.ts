// Making foreign text safe to inline in one HTML document: JSON for a `<pre>` block (text and
// attribute values are src/xml.ts's escapeXml), and scoping the ids of an inlined SVG so that several
// pictures with the same ids can share a page.

import { escapeXml } from '../xml.js';


/**
 * JSON text for a `<pre>` block: escaped like any text, so a `</pre>` or `<script>` inside a string
 * stays text.
 */
export function escapeJson(value: unknown): string {
  return escapeXml(JSON.stringify(value, null, 2));
}

/**
 * The SVG with every id inside its tags prefixed, and every reference to one (`url(#x)`, `href="#x"`)
 * prefixed alike. Every Graphviz picture has a `graph0`, two charts of two variants share all their
 * state ids, and sequence diagrams all define `call-head`: one HTML page needs each id once, or
 * `url(#call-head)` would draw with whichever definition comes first. Only tags are rewritten, so
 * label text that happens to read `id="..."` is left alone.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/<[^<>]*>/g, (tag) =>
    tag
      .replace(/(\s)id="([^"]*)"/g, (_, space: string, id: string) => `${space}id="${prefix}${id}"`)
      .replace(/url\(#([^)]*)\)/g, (_, id: string) => `url(#${prefix}${id})`)
      .replace(/(\s(?:xlink:)?href)="#([^"]*)"/g, (_, attr: string, id: string) => `${attr}="#${prefix}${id}"`),
  );
}

