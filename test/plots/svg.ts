// A strict little XML parser for the tests: checks well-formedness (one root, matched and
// properly nested tags, quoted unique attributes, known entities, nothing stray) and returns the tree.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text (entities decoded), concatenated. */
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  return raw.replace(/&([^;]*);|&|</g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new Error(`XML: stray "${match}" at ${where}`);
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) throw new Error(`XML: unknown entity &${entity}; at ${where}`);
    return value;
  });
}

/** Parses an XML document; throws on anything not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
      i += ws;
      if (xml.startsWith('<?', i)) i = xml.indexOf('?>', i) + 2;
      else if (xml.startsWith('<!--', i)) i = xml.indexOf('-->', i) + 3;
      else if (xml.startsWith('<!DOCTYPE', i)) i = xml.indexOf('>', i) + 1;
      else return;
      if (i < 2) throw new Error('XML: unterminated declaration or comment');
    }
  };
  skipMisc();
  while (i < xml.length) {
    if (stack.length === 0 && root !== undefined) {
      skipMisc();
      if (i < xml.length) throw new Error(`XML: content after the root element at ${i}`);
      break;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('XML: unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const name = NAME.exec(xml.slice(i + 2))?.[0];
      const open = stack.pop();
      if (name === undefined || open?.name !== name) throw new Error(`XML: </${name}> closes <${open?.name}> at ${i}`);
      i += 2 + name.length;
      while (/\s/.test(xml[i] ?? '')) i += 1;
      if (xml[i] !== '>') throw new Error(`XML: bad end tag at ${i}`);
      i += 1;
    } else if (xml[i] === '<') {
      const name = NAME.exec(xml.slice(i + 1))?.[0];
      if (name === undefined) throw new Error(`XML: bad tag at ${i}`);
      i += 1 + name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))?.[0].length ?? 0;
        i += ws;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (ws === 0) throw new Error(`XML: attributes must be separated by space at ${i}`);
        const attr = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
        if (attr === null) throw new Error(`XML: bad attribute in <${name}> at ${i}`);
        const key = attr[1] ?? '';
        if (key in attributes) throw new Error(`XML: duplicate attribute ${key} at ${i}`);
        attributes[key] = decode(attr[3] ?? attr[4] ?? '', i);
        i += attr[0].length;
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      if (stack.length === 0) {
        if (root !== undefined) throw new Error('XML: more than one root');
        root = element;
      } else stack.at(-1)!.children.push(element);
      if (xml.startsWith('/>', i)) i += 2;
      else { i += 1; stack.push(element); }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      const top = stack.at(-1);
      if (top === undefined) throw new Error(`XML: text outside the root at ${i}`);
      top.text += decode(raw, i);
      i += raw.length;
    }
  }
  if (root === undefined || stack.length > 0) throw new Error(`XML: unclosed <${stack.at(-1)?.name ?? 'root'}>`);
  return root;
}

/** Every element below (and including) `root`, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** The marks vega drew with this ARIA role description ('line mark', 'point', 'bar', 'text mark', ...). */
export function marks(root: XmlElement, roleDescription: string): XmlElement[] {
  return allElements(root).filter((e) => e.attributes['aria-roledescription'] === roleDescription);
}

/** A mark's data as vega-lite labels it: "a: 1; b: x" -> { a: '1', b: 'x' }. */
export function ariaFields(element: XmlElement): Record<string, string> {
  return Object.fromEntries((element.attributes['aria-label'] ?? '').split('; ').map((pair) => {
    const colon = pair.indexOf(': ');
    return [pair.slice(0, colon), pair.slice(colon + 2)];
  }));
}

/** The vertices of a path made only of M/L commands, e.g. a line mark's "M0,80L180,160". */
export function lineVertices(d: string): Array<[number, number]> {
  if (!/^M[-\d.e]+,[-\d.e]+(L[-\d.e]+,[-\d.e]+)*$/.test(d)) throw new Error(`not a polyline: ${d.slice(0, 80)}`);
  return [...d.matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
