// The Outlook POX Autodiscover request and the parts of its response a diagnosis needs
// ([MS-OXDSCLI]): settings with EXCH/EXPR protocols and an EwsUrl, a redirect, or an error.
import { child, childrenNamed, childText, escapeXml, parseXml, type XmlElement } from './xml.js';

export const POX_REQUEST_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
export const POX_RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

export function poxRequest(email: string): string {
  return '<?xml version="1.0" encoding="utf-8"?>\n'
    + `<Autodiscover xmlns="${POX_REQUEST_SCHEMA}">\n`
    + `  <Request>\n    <EMailAddress>${escapeXml(email)}</EMailAddress>\n`
    + `    <AcceptableResponseSchema>${POX_RESPONSE_SCHEMA}</AcceptableResponseSchema>\n  </Request>\n`
    + '</Autodiscover>\n';
}

export interface PoxProtocol { type: string; server?: string; ewsUrl?: string; owaUrl?: string }

export type PoxAnswer =
  | { kind: 'settings'; protocols: PoxProtocol[]; ewsUrl?: string; displayName?: string }
  | { kind: 'redirectAddr'; address: string }
  | { kind: 'redirectUrl'; url: string }
  | { kind: 'error'; errorCode?: string; message?: string }
  | { kind: 'invalid'; reason: string };

/**
 * Reads the answer by structure, not by searching the text: the settings are the `Protocol`
 * children of `Account`, so the `Protocol` elements nested in a WEB protocol's `Internal`/`External`
 * blocks stay inside it. `Error` may sit under `Response` (the documented sample) or `Account`.
 */
export function parsePoxResponse(xml: string): PoxAnswer {
  const doc = parseXml(xml);
  if (!doc.ok) return { kind: 'invalid', reason: doc.reason };
  const root = doc.root;
  if (root.name !== 'Autodiscover') return { kind: 'invalid', reason: `not an Autodiscover document (root element ${root.name})` };
  const response = child(root, 'Response');
  if (!response) return { kind: 'invalid', reason: 'no Response element' };
  const account = child(response, 'Account');
  const error = child(response, 'Error') ?? child(account, 'Error');
  if (error) return { kind: 'error', errorCode: childText(error, 'ErrorCode'), message: childText(error, 'Message') };
  if (!account) return { kind: 'invalid', reason: 'no Account element' };
  const action = childText(account, 'Action')?.toLowerCase();
  if (action === 'redirectaddr') {
    const address = childText(account, 'RedirectAddr');
    return address ? { kind: 'redirectAddr', address } : { kind: 'invalid', reason: 'redirectAddr without RedirectAddr' };
  }
  if (action === 'redirecturl') {
    const url = childText(account, 'RedirectUrl');
    return url ? { kind: 'redirectUrl', url } : { kind: 'invalid', reason: 'redirectUrl without RedirectUrl' };
  }
  const read = childrenNamed(account, 'Protocol').map(protocol);
  const exchange = read.filter((p) => p.type === 'EXCH' || p.type === 'EXPR');
  // EwsUrl names the EWS endpoint; without one (the documented sample gives only ASUrl) EWS is bound with ASUrl.
  const ewsUrl = exchange.find((p) => p.ewsUrl)?.ewsUrl ?? exchange.find((p) => p.asUrl)?.asUrl;
  const protocols = read.map(({ asUrl, ...p }): PoxProtocol => ({ ...p, ewsUrl: p.ewsUrl ?? asUrl }));
  return { kind: 'settings', protocols, ewsUrl, displayName: childText(child(response, 'User'), 'DisplayName') || undefined };
}

function protocol(p: XmlElement): PoxProtocol & { asUrl?: string } {
  // MAPI/HTTP protocols carry their type as an attribute (<Protocol Type="mapiHttp" Version="1">).
  const type = (childText(p, 'Type') || p.attributes.Type || '').toUpperCase();
  // A WEB protocol's OWA URLs are in its Internal/External blocks (document order).
  const owa = child(p, 'OWAUrl') ?? p.children.filter((c) => c.name === 'Internal' || c.name === 'External').map((c) => child(c, 'OWAUrl')).find(Boolean);
  return {
    type,
    server: childText(p, 'Server') || undefined,
    ewsUrl: childText(p, 'EwsUrl') || undefined,
    asUrl: childText(p, 'ASUrl') || undefined,
    owaUrl: owa?.text || undefined,
  };
}
