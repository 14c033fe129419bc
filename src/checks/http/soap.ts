// The EWS call the webmail check makes as the user (GetFolder on the inbox) and its answer.
import { child, childText, descendant, parseXml } from './xml.js';

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
  const doc = parseXml(xml);
  if (!doc.ok) return { kind: 'invalid', reason: doc.reason };
  if (doc.root.name !== 'Envelope') return { kind: 'invalid', reason: `not a SOAP envelope (root element ${doc.root.name})` };
  const body = child(doc.root, 'Body');
  if (!body) return { kind: 'invalid', reason: 'no SOAP Body' };
  const fault = child(body, 'Fault');
  if (fault) return { kind: 'fault', faultCode: childText(fault, 'faultcode'), faultString: childText(fault, 'faultstring') };
  const msg = descendant(body, 'GetFolderResponseMessage');
  if (!msg) return { kind: 'invalid', reason: 'no GetFolderResponseMessage' };
  const responseClass = msg.attributes.ResponseClass;
  const responseCode = childText(msg, 'ResponseCode');
  if (responseClass !== 'Success' || responseCode !== 'NoError') {
    return { kind: 'error', responseClass, responseCode, message: childText(msg, 'MessageText') };
  }
  const folder = child(child(msg, 'Folders'), 'Folder') ?? descendant(msg, 'Folder');
  const num = (name: string) => { const v = childText(folder, name); return v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v); };
  return { kind: 'folder', responseClass, responseCode, totalCount: num('TotalCount'), unreadCount: num('UnreadCount'), displayName: childText(folder, 'DisplayName') };
}
