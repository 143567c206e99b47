/** The strict XML check the SVG tests rely on: it accepts well-formed documents and rejects each kind of fault. */
import { describe, expect, it } from 'vitest';
import { findAll, parseXml } from '../helpers/xml.js';

describe('XML well-formedness check', () => {
  it('parses elements, attributes, entities and character references', () => {
    const root = parseXml('<?xml version="1.0"?>\n<a x="1" y=\'&lt;&amp;&quot;\'><b/><b>t &#65;&#x42; &gt;</b></a>\n');
    expect(root.attributes).toEqual({ x: '1', y: '<&"' });
    expect(findAll(root, 'b').map((b) => b.text)).toEqual(['', 't AB >']);
  });

  it.each([
    ['<a>&</a>', /unterminated reference/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a><b></a></b>', /does not match/],
    ['<a x=1/>', /not quoted/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ['<a x="1"y="2"/>', /white space/],
    ['<a x="<"/>', /raw '<'/],
    ['<a>\u0001</a>', /forbidden character/],
    ['<a>\uD800</a>', /forbidden character/],
    ['<a>', /never closed/],
    ['<a/><b/>', /after the root/],
    ['text<a/>', /outside the root/],
  ])('rejects %j', (source, message) => {
    expect(() => parseXml(source)).toThrow(message);
  });
});
