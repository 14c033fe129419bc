// The Outlook POX Autodiscover request and the parts of its response a diagnosis needs
// ([MS-OXDSCLI]): settings with EXCH/EXPR protocols and an EwsUrl, a redirect, or an error.
import { elements, escapeXml, text } from './xml.js';

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

export function parsePoxResponse(xml: string): PoxAnswer {
  if (!/<(?:[\w.-]+:)?Autodiscover[\s>]/.test(xml)) return { kind: 'invalid', reason: 'not an Autodiscover document' };
  const error = elements(xml, 'Error')[0];
  if (error !== undefined) return { kind: 'error', errorCode: text(error, 'ErrorCode'), message: text(error, 'Message') };
  const account = elements(xml, 'Account')[0];
  if (account === undefined) return { kind: 'invalid', reason: 'no Account element' };
  const action = text(account, 'Action')?.toLowerCase();
  if (action === 'redirectaddr') {
    const address = text(account, 'RedirectAddr');
    return address ? { kind: 'redirectAddr', address } : { kind: 'invalid', reason: 'redirectAddr without RedirectAddr' };
  }
  if (action === 'redirecturl') {
    const url = text(account, 'RedirectUrl');
    return url ? { kind: 'redirectUrl', url } : { kind: 'invalid', reason: 'redirectUrl without RedirectUrl' };
  }
  const protocols = elements(account, 'Protocol').map((p): PoxProtocol => ({
    type: (text(p, 'Type') ?? '').toUpperCase(),
    server: text(p, 'Server') || undefined,
    ewsUrl: text(p, 'EwsUrl') || undefined,
    owaUrl: text(p, 'OWAUrl') || undefined,
  }));
  const exchange = protocols.filter((p) => p.type === 'EXCH' || p.type === 'EXPR');
  const ewsUrl = exchange.find((p) => p.ewsUrl)?.ewsUrl;
  return { kind: 'settings', protocols, ewsUrl, displayName: text(xml, 'DisplayName') || undefined };
}
