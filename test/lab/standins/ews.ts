// Exchange Web Services stand-in: SOAP 1.1 at /EWS/Exchange.asmx answering GetFolder for the
// distinguished folders, and the SOAP faults Exchange gives for anything else.
import type { ServerResponse } from 'node:http';
import type { MailboxScenario } from '../scenarios.js';
import type { AuthLog } from './auth-log.js';
import { authenticate } from './exchange-auth.js';
import { send, type StandinRequest } from './http-util.js';
import { elementAttribute, escapeXml, looksLikeXml, soapOperation } from './xml.js';

export const EWS_PATH = '/ews/exchange.asmx';
const XML = 'text/xml; charset=utf-8';
const TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';
const MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';
const ERRORS = 'http://schemas.microsoft.com/exchange/services/2006/errors';

/** Distinguished folders the stand-in mailbox has, with their display names and counts. */
const FOLDERS: Record<string, { name: string; cls: string; total: number; unread: number }> = {
  msgfolderroot: { name: 'Top of Information Store', cls: 'IPF.Note', total: 0, unread: 0 },
  inbox: { name: 'Inbox', cls: 'IPF.Note', total: 3, unread: 1 },
  junkemail: { name: 'Junk Email', cls: 'IPF.Note', total: 0, unread: 0 },
  sentitems: { name: 'Sent Items', cls: 'IPF.Note', total: 2, unread: 0 },
  deleteditems: { name: 'Deleted Items', cls: 'IPF.Note', total: 0, unread: 0 },
  drafts: { name: 'Drafts', cls: 'IPF.Note', total: 0, unread: 0 },
  outbox: { name: 'Outbox', cls: 'IPF.Note', total: 0, unread: 0 },
  calendar: { name: 'Calendar', cls: 'IPF.Appointment', total: 0, unread: 0 },
  contacts: { name: 'Contacts', cls: 'IPF.Contact', total: 0, unread: 0 },
};

const envelope = (body: string) => `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="35" Version="V2017_07_11" xmlns:h="${TYPES}" xmlns="${TYPES}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
${body}
  </s:Body>
</s:Envelope>
`;

function fault(res: ServerResponse, code: string, message: string): void {
  const body = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode xmlns:a="${TYPES}">a:${code}</faultcode>
<faultstring xml:lang="en-US">${escapeXml(message)}</faultstring>
<detail><e:ResponseCode xmlns:e="${ERRORS}">${code}</e:ResponseCode><e:Message xmlns:e="${ERRORS}">${escapeXml(message)}</e:Message></detail>
</s:Fault></s:Body></s:Envelope>`;
  send(res, 500, XML, body);
}

const folderId = (mailbox: MailboxScenario, folder: string) => Buffer.from(`lab-ews:${mailbox.address}:${folder}`).toString('base64');
const folderById = (mailbox: MailboxScenario, id: string) => Object.keys(FOLDERS).find((f) => folderId(mailbox, f) === id);

function getFolder(res: ServerResponse, xml: string, mailbox: MailboxScenario): void {
  const distinguished = elementAttribute(xml, 'DistinguishedFolderId', 'Id');
  const byId = elementAttribute(xml, 'FolderId', 'Id');
  if (distinguished === undefined && byId === undefined) return fault(res, 'ErrorSchemaValidation', 'The request failed schema validation: FolderIds is required.');
  if (distinguished !== undefined && !FOLDERS[distinguished]) {
    return fault(res, 'ErrorSchemaValidation', `The request failed schema validation: The 'Id' attribute is invalid - The value '${distinguished}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:DistinguishedFolderIdNameType' - The Enumeration constraint failed.`);
  }
  const folder = distinguished ?? folderById(mailbox, byId as string);
  const message = folder === undefined
    ? `<m:GetFolderResponseMessage ResponseClass="Error">
            <m:MessageText>Id is malformed.</m:MessageText>
            <m:ResponseCode>ErrorInvalidIdMalformed</m:ResponseCode>
            <m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
            <m:Folders/>
          </m:GetFolderResponseMessage>`
    : `<m:GetFolderResponseMessage ResponseClass="Success">
            <m:ResponseCode>NoError</m:ResponseCode>
            <m:Folders>
              <t:Folder>
                <t:FolderId Id="${folderId(mailbox, folder)}" ChangeKey="AQAAABYAAAAnL0fVYbQ0Q6qO6WJ+z8UxAAAAAAB2"/>
                <t:FolderClass>${FOLDERS[folder].cls}</t:FolderClass>
                <t:DisplayName>${escapeXml(FOLDERS[folder].name)}</t:DisplayName>
                <t:TotalCount>${FOLDERS[folder].total}</t:TotalCount>
                <t:ChildFolderCount>0</t:ChildFolderCount>
                <t:UnreadCount>${FOLDERS[folder].unread}</t:UnreadCount>
              </t:Folder>
            </m:Folders>
          </m:GetFolderResponseMessage>`;
  send(res, 200, XML, envelope(`    <m:GetFolderResponse xmlns:m="${MESSAGES}" xmlns:t="${TYPES}">
      <m:ResponseMessages>
          ${message}
      </m:ResponseMessages>
    </m:GetFolderResponse>`));
}

const SERVICE_PAGE = `<html><head><title>Service</title></head><body><p class="heading1">Service</p>
<p>You have created a service.</p></body></html>
`;

export async function ews(req: StandinRequest, res: ServerResponse, log: AuthLog): Promise<void> {
  const mailbox = await authenticate(req, res, log, 'ews');
  if (!mailbox) return;
  if (req.method === 'GET') return send(res, 200, 'text/html; charset=UTF-8', SERVICE_PAGE);
  if (req.method !== 'POST') return send(res, 405, 'text/html', '<h1>405 Method Not Allowed</h1>', { Allow: 'GET, POST' });
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('text/xml')) {
    return send(res, 415, 'text/html', `Cannot process the message because the content type '${escapeXml(type)}' was not the expected type 'text/xml; charset=utf-8'.`);
  }
  const xml = req.body.toString('utf8');
  const operation = looksLikeXml(xml) ? soapOperation(xml) : undefined;
  if (!operation) return fault(res, 'ErrorSchemaValidation', 'The request failed schema validation: Data at the root level is invalid.');
  if (operation === 'GetFolder') return getFolder(res, xml, mailbox);
  return fault(res, 'ErrorInvalidRequest', 'The request is invalid.');
}
