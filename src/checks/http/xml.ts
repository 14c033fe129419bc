// The Autodiscover (POX) and EWS (SOAP) documents we read come from servers a customer's DNS may
// choose, so they go through a maintained XML parser (fast-xml-parser) under our own limits: no
// DOCTYPE, no entity expansion beyond the five predefined ones and character references, bounded
// size, depth and element count. Callers walk a small element tree by local name (prefix ignored).
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** Local name (namespace prefix removed). */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own character data (text and CDATA, not its children's), decoded and trimmed. */
  text: string;
}

export type XmlDocument = { ok: true; root: XmlElement } | { ok: false; reason: string };

/** What we accept from a server; a real Autodiscover or GetFolder answer is a few KB, under 200 elements, about 8 deep. */
export const XML_LIMITS = {
  /** Characters of the document (the HTTP layer already cuts bodies at BODY_LIMITS.xml bytes). */
  maxChars: 256 * 1024,
  maxDepth: 32,
  maxElements: 2000,
} as const;

class XmlLimitError extends Error {
  override name = 'XmlLimitError';
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';

function parser(): XMLParser {
  let elements = 0;
  return new XMLParser({
    preserveOrder: true,
    removeNSPrefix: true,
    // Off: no DTD entities, no HTML entities; the predefined ones are decoded below.
    processEntities: false,
    htmlEntities: false,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA,
    trimValues: true,
    maxNestedTags: XML_LIMITS.maxDepth,
    // Called once per opening tag: stops a document made of a huge number of elements early.
    updateTag: (tag: string) => {
      if (++elements > XML_LIMITS.maxElements) throw new XmlLimitError(`more than ${XML_LIMITS.maxElements} elements`);
      return tag;
    },
  });
}

type OrderedNode = Record<string, unknown>;

/** Parses a document into its root element, or says why it was refused (never throws). */
export function parseXml(xml: string): XmlDocument {
  if (xml.length > XML_LIMITS.maxChars) return { ok: false, reason: `document larger than ${XML_LIMITS.maxChars} characters` };
  // Servers we talk to never send a DTD; refusing it means no entity or external-subset tricks at all.
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, reason: 'DOCTYPE declarations are not accepted' };
  let nodes: OrderedNode[];
  try {
    // The parser is lenient (it accepts mismatched and unclosed tags), so well-formedness is checked
    // after it, once the depth and element limits have bounded the document.
    nodes = parser().parse(xml) as OrderedNode[];
    const valid = XMLValidator.validate(xml);
    if (valid !== true) return { ok: false, reason: `not well-formed XML: ${short(valid.err.msg)} (line ${valid.err.line})` };
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (err instanceof XmlLimitError) return { ok: false, reason: msg };
    if (/nested tags/i.test(msg)) return { ok: false, reason: `elements nested deeper than ${XML_LIMITS.maxDepth}` };
    return { ok: false, reason: `not well-formed XML: ${short(msg)}` };
  }
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) return { ok: false, reason: roots.length ? 'more than one root element' : 'no root element' };
  return { ok: true, root: roots[0] };
}

const short = (s: string) => (s.length > 160 ? `${s.slice(0, 160)}…` : s);

function toElement(node: OrderedNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ATTRS);
  if (name === undefined || name === TEXT || name === CDATA) return undefined;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[ATTRS] ?? {}) as Record<string, unknown>)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attributes[k.includes(':') ? k.slice(k.indexOf(':') + 1) : k] = decodeEntities(String(v));
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const c of (node[name] ?? []) as OrderedNode[]) {
    if (TEXT in c) text += decodeEntities(String(c[TEXT]));
    else if (CDATA in c) text += ((c[CDATA] ?? []) as OrderedNode[]).map((t) => String(t[TEXT] ?? '')).join('');
    else {
      const e = toElement(c);
      if (e) children.push(e);
    }
  }
  return { name, attributes, children, text: text.trim() };
}

/** Direct children with this local name. */
export const childrenNamed = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? el.children.filter((c) => c.name === name) : [];

/** First direct child with this local name. */
export const child = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((c) => c.name === name);

/** Text of the first direct child with this local name. */
export const childText = (el: XmlElement | undefined, name: string): string | undefined => child(el, name)?.text;

/** First descendant (depth first, document order) with this local name. */
export function descendant(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) {
    if (c.name === name) return c;
    const d = descendant(c, name);
    if (d) return d;
  }
  return undefined;
}

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The five predefined entities and character references; anything else is left as written. */
function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const n = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}
