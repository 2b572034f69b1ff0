// The one escape for XML and HTML text: what every SVG, DOT label, JUnit file and report page relies on.

import { describe, expect, it } from 'vitest';
import { escapeXml } from '../src/xml.js';

describe('escapeXml', () => {
  it('escapes the five markup characters, ampersand first, so no entity is escaped twice', () => {
    expect(escapeXml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('drops the control characters XML 1.0 cannot carry, and keeps tab, newline and carriage return', () => {
    expect(escapeXml('a\u0000b\u0008c\u000bd\u001fe\tf\ng\rh')).toBe('abcde\tf\ng\rh');
  });
});
