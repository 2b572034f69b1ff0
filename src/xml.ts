// Text placed in XML or HTML markup: the sequence diagrams' SVG, Graphviz's HTML-like labels, JUnit
// XML and the report page all escape it with this one function.

/** C0 controls other than tab, newline and carriage return: XML 1.0 cannot carry them, even escaped. */
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * Text safe as character data and inside a double- or single-quoted attribute value, in XML and in
 * HTML alike; the control characters XML cannot carry are dropped.
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_IN_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
