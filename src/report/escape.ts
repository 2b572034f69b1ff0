// Making foreign text safe to inline in one HTML document: escaping for text and attribute values,
// and scoping the ids of an inlined SVG so that several pictures with the same ids can share a page.

/** Text safe both as character data and inside a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON text for a `<pre>` block: escaped like any text, so a `</pre>` or `<script>` inside a string
 * stays text.
 */
export function escapeJson(value: unknown): string {
  return escapeHtml(JSON.stringify(value, null, 2));
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

