// Just enough XML for the Autodiscover (POX) and EWS (SOAP) documents we exchange: find elements
// by local name whatever their namespace prefix, read their text. No external entities, no DTDs.

/** Inner XML of every element with this local name (namespace prefix ignored). */
export function elements(xml: string, localName: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}\\s*>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** Text of the first element with this local name, entities decoded and trimmed. */
export function text(xml: string, localName: string): string | undefined {
  const e = elements(xml, localName)[0];
  return e === undefined ? undefined : decode(e.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')).trim();
}

/** Value of an attribute on the first element with this local name. */
export function attribute(xml: string, localName: string, attr: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${localName}\\s[^>]*?\\b${attr}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(xml);
  return m ? decode(m[2] ?? m[3] ?? '') : undefined;
}

export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function decode(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const n = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(n) ? String.fromCodePoint(n) : '';
  });
}
