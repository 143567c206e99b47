/**
 * A strict XML well-formedness check for the SVG the plots write (no
 * dependency): one root element, properly nested and closed tags, quoted
 * and unique attributes, only the five predefined entities or character
 * references, no raw '<' or '&' in text, no character XML 1.0 forbids.
 * Throws on the first fault with its offset; returns the element tree with
 * entity-decoded attribute values and text.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`XML: raw '<' in character data or attribute at ${at}`);
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`XML: unterminated reference '${match}' at ${at}`);
    if (Object.hasOwn(ENTITIES, body)) return ENTITIES[body]!;
    const code = /^#x([0-9a-fA-F]+)$/.exec(body)?.[1] ? parseInt(body.slice(2), 16) : /^#([0-9]+)$/.test(body) ? Number(body.slice(1)) : NaN;
    if (!Number.isFinite(code)) throw new Error(`XML: unknown entity '&${body};' at ${at}`);
    return String.fromCodePoint(code);
  });
}

export function parseXml(source: string): XmlElement {
  const bad = FORBIDDEN.exec(source);
  if (bad) throw new Error(`XML: forbidden character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  let i = 0;
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('XML: unterminated declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < source.length) {
    if (stack.length === 0) {
      skipSpace();
      if (i >= source.length) break;
      if (root !== null) throw new Error(`XML: content after the root element at ${i}`);
    }
    if (source[i] !== '<') {
      const end = source.indexOf('<', i);
      if (stack.length === 0) throw new Error(`XML: text outside the root element at ${i}`);
      stack[stack.length - 1]!.text += decode(source.slice(i, end < 0 ? source.length : end), i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (source[i + 1] === '/') {
      const name = NAME.exec(source.slice(i + 2))?.[0];
      const open = stack.pop();
      if (!name || open?.name !== name) throw new Error(`XML: closing </${name}> does not match <${open?.name}> at ${i}`);
      i += 2 + name.length;
      skipSpace();
      if (source[i] !== '>') throw new Error(`XML: expected '>' at ${i}`);
      i++;
      continue;
    }
    const name = NAME.exec(source.slice(i + 1))?.[0];
    if (!name) throw new Error(`XML: bad tag name at ${i}`);
    i += 1 + name.length;
    const element: XmlElement = { name, attributes: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i) || source[i] === '>') break;
      if (i === before) throw new Error(`XML: attributes of <${name}> need white space between them at ${i}`);
      const attr = NAME.exec(source.slice(i))?.[0];
      if (!attr) throw new Error(`XML: bad attribute name in <${name}> at ${i}`);
      i += attr.length;
      skipSpace();
      if (source[i] !== '=') throw new Error(`XML: attribute ${attr} of <${name}> has no value at ${i}`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") throw new Error(`XML: attribute ${attr} of <${name}> is not quoted at ${i}`);
      const end = source.indexOf(quote, i + 1);
      if (end < 0) throw new Error(`XML: unterminated attribute ${attr} at ${i}`);
      if (Object.hasOwn(element.attributes, attr)) throw new Error(`XML: duplicate attribute ${attr} in <${name}> at ${i}`);
      element.attributes[attr] = decode(source.slice(i + 1, end), i);
      i = end + 1;
    }
    if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
    else root = element;
    if (source.startsWith('/>', i)) {
      i += 2;
    } else {
      i++;
      stack.push(element);
    }
  }
  if (stack.length > 0) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is never closed`);
  if (root === null) throw new Error('XML: no root element');
  return root;
}

/** Every element named `name` in the tree, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}
