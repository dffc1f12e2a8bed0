// The test parser must reject what is not well-formed, or the SVG checks prove nothing.
import { describe, expect, it } from 'vitest';
import { parseXml } from './svg.js';

describe('parseXml (test helper)', () => {
  it('should parse nested elements, attributes, entities and text', () => {
    const root = parseXml('<?xml version="1.0"?><svg a="1" b=\'x &amp; y\'><g><text>3 &lt; 4</text><path d="M0,0"/></g></svg>');
    expect(root.name).toBe('svg');
    expect(root.attributes).toEqual({ a: '1', b: 'x & y' });
    expect(root.children[0]?.children.map((c) => c.name)).toEqual(['text', 'path']);
    expect(root.children[0]?.children[0]?.text).toBe('3 < 4');
  });

  it.each([
    ['mismatched tags', '<svg><g></svg></g>'],
    ['an unclosed element', '<svg><g></g>'],
    ['two roots', '<svg/><svg/>'],
    ['an unquoted attribute', '<svg a=1/>'],
    ['a duplicate attribute', '<svg a="1" a="2"/>'],
    ['a bare ampersand', '<svg>a & b</svg>'],
    ['an unknown entity', '<svg>&nbsp;</svg>'],
    ['text after the root', '<svg/>x'],
  ])('should reject %s', (_, xml) => {
    expect(() => parseXml(xml)).toThrow(/XML/);
  });
});
