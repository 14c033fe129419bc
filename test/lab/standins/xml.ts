// Just enough XML for the Exchange stand-ins: escape text, read one element, find the SOAP
// operation. Requests are small and machine-made, so namespace prefixes are matched loosely.

export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const unescapeXml = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

const NAME = '(?:[A-Za-z_][\\w.-]*:)?';

/** Text of the first element with this local name, whatever its prefix. */
export function elementText(xml: string, localName: string): string | undefined {
  const m = new RegExp(`<${NAME}${localName}(?:\\s[^>]*)?>([^<]*)</${NAME}${localName}\\s*>`).exec(xml);
  return m ? unescapeXml(m[1]).trim() : undefined;
}

/** Attribute value of the first element with this local name. */
export function elementAttribute(xml: string, localName: string, attribute: string): string | undefined {
  const tag = new RegExp(`<${NAME}${localName}(\\s[^>]*)?/?>`).exec(xml);
  if (!tag?.[1]) return undefined;
  const m = new RegExp(`(?:^|\\s)${attribute}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag[1]);
  return m ? unescapeXml(m[2] ?? m[3]) : undefined;
}

/** Local name of the first element inside the SOAP Body (the EWS operation). */
export function soapOperation(xml: string): string | undefined {
  const body = new RegExp(`<${NAME}Body(?:\\s[^>]*)?>`).exec(xml);
  if (!body) return undefined;
  const rest = xml.slice(body.index + body[0].length).replace(/<!--[\s\S]*?-->/g, '');
  const m = /^\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(rest);
  return m?.[1];
}

/** Looks like an XML document at all (a real server rejects anything else before reading it). */
export const looksLikeXml = (s: string): boolean => /^\s*(<\?xml[^>]*\?>\s*)?</.test(s);
