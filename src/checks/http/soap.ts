// The EWS call the webmail check makes as the user (GetFolder on the inbox) and its answer.
import { attribute, elements, text } from './xml.js';

export function getInboxRequest(): string {
  return '<?xml version="1.0" encoding="utf-8"?>\n'
    + '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    + ' xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"'
    + ' xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">\n'
    + '  <soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>\n'
    + '  <soap:Body>\n    <m:GetFolder>\n'
    + '      <m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>\n'
    + '      <m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds>\n'
    + '    </m:GetFolder>\n  </soap:Body>\n</soap:Envelope>\n';
}

export type GetFolderAnswer =
  | { kind: 'folder'; responseClass?: string; responseCode: string; totalCount?: number; unreadCount?: number; displayName?: string }
  | { kind: 'error'; responseClass?: string; responseCode?: string; message?: string }
  | { kind: 'fault'; faultCode?: string; faultString?: string }
  | { kind: 'invalid'; reason: string };

export function parseGetFolderResponse(xml: string): GetFolderAnswer {
  if (!/<(?:[\w.-]+:)?Envelope[\s>]/.test(xml)) return { kind: 'invalid', reason: 'not a SOAP envelope' };
  const fault = elements(xml, 'Fault')[0];
  if (fault !== undefined) return { kind: 'fault', faultCode: text(fault, 'faultcode'), faultString: text(fault, 'faultstring') };
  const msg = elements(xml, 'GetFolderResponseMessage')[0];
  if (msg === undefined) return { kind: 'invalid', reason: 'no GetFolderResponseMessage' };
  const responseClass = attribute(xml, 'GetFolderResponseMessage', 'ResponseClass');
  const responseCode = text(msg, 'ResponseCode');
  if (responseClass !== 'Success' || responseCode !== 'NoError') {
    return { kind: 'error', responseClass, responseCode, message: text(msg, 'MessageText') };
  }
  const num = (name: string) => { const v = text(msg, name); return v === undefined || v === '' ? undefined : Number(v); };
  return { kind: 'folder', responseClass, responseCode, totalCount: num('TotalCount'), unreadCount: num('UnreadCount'), displayName: text(msg, 'DisplayName') };
}
