// Exchange POX Autodiscover stand-in: the request a mail client posts to
// /autodiscover/autodiscover.xml and the settings (or error) document Exchange answers with.
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AUTODISCOVER_FAULTS, type AutodiscoverFault } from '../scenarios.js';
import type { AuthLog } from './auth-log.js';
import { authenticate } from './exchange-auth.js';
import { send, sendEmpty, type SiteContext, type StandinRequest } from './http-util.js';
import { findMailbox } from './lab-accounts.js';
import { elementText, escapeXml, looksLikeXml } from './xml.js';

export const AUTODISCOVER_PATH = '/autodiscover/autodiscover.xml';
const NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
export const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const XML = 'text/xml; charset=utf-8';

function errorDocument(code: number, message: string, inOutlookSchema: boolean): string {
  const ns = inOutlookSchema ? ` xmlns="${OUTLOOK_SCHEMA}"` : '';
  const time = new Date().toISOString().slice(11, 23);
  const id = String(createHash('sha1').update(randomUUID()).digest().readUInt32BE(0));
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${NS}">
  <Response${ns}>
    <Error Time="${time}" Id="${id}">
      <ErrorCode>${code}</ErrorCode>
      <Message>${escapeXml(message)}</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
`;
}

function settingsDocument(address: string, server: string, authority: string): string {
  const [local] = address.split('@');
  const ews = `https://${authority}/EWS/Exchange.asmx`;
  const owa = `https://${authority}/owa/`;
  const guid = createHash('md5').update(address.toLowerCase()).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  const e = escapeXml;
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${NS}">
  <Response xmlns="${OUTLOOK_SCHEMA}">
    <User>
      <DisplayName>${e(local)}</DisplayName>
      <LegacyDN>/o=lab/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${e(local)}</LegacyDN>
      <AutoDiscoverSMTPAddress>${e(address)}</AutoDiscoverSMTPAddress>
      <DeploymentId>6f3c2a4e-0b1d-4c5e-9a7f-2d8e1b0c3a5d</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <MicrosoftOnline>False</MicrosoftOnline>
      <Protocol>
        <Type>EXCH</Type>
        <Server>${guid}@${e(address.split('@')[1])}</Server>
        <ServerDN>/o=lab/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=${guid}@${e(address.split('@')[1])}</ServerDN>
        <ServerVersion>73C18880</ServerVersion>
        <AuthPackage>Anonymous</AuthPackage>
        <ASUrl>${e(ews)}</ASUrl>
        <EwsUrl>${e(ews)}</EwsUrl>
        <OOFUrl>${e(ews)}</OOFUrl>
        <OABUrl>https://${e(authority)}/OAB/0c8f3f5e-6d1b-4a7c-9e2f-5b4d3c2a1f0e/</OABUrl>
        <ServerExclusiveConnect>off</ServerExclusiveConnect>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>${e(server)}</Server>
        <SSL>On</SSL>
        <AuthPackage>Basic</AuthPackage>
        <ASUrl>${e(ews)}</ASUrl>
        <EwsUrl>${e(ews)}</EwsUrl>
        <OOFUrl>${e(ews)}</OOFUrl>
        <OABUrl>https://${e(authority)}/OAB/0c8f3f5e-6d1b-4a7c-9e2f-5b4d3c2a1f0e/</OABUrl>
        <ServerExclusiveConnect>On</ServerExclusiveConnect>
        <CertPrincipalName>msstd:${e(server)}</CertPrincipalName>
      </Protocol>
      <Protocol>
        <Type>WEB</Type>
        <Internal>
          <OWAUrl AuthenticationMethod="Fba">${e(owa)}</OWAUrl>
          <Protocol>
            <Type>EXCH</Type>
            <ASUrl>${e(ews)}</ASUrl>
          </Protocol>
        </Internal>
        <External>
          <OWAUrl AuthenticationMethod="Fba">${e(owa)}</OWAUrl>
          <Protocol>
            <Type>EXPR</Type>
            <ASUrl>${e(ews)}</ASUrl>
          </Protocol>
        </External>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>
`;
}

/** The fault of a mail domain's `autodiscover.<domain>` name (scenarios.ts), if it has one. */
export function autodiscoverFault(host: string): AutodiscoverFault | undefined {
  const prefix = 'autodiscover.';
  return host.startsWith(prefix) ? AUTODISCOVER_FAULTS[host.slice(prefix.length)] : undefined;
}

/** An Account whose Action sends the client elsewhere ([MS-OXDSCLI] redirectAddr / redirectUrl). */
function redirectDocument(action: 'redirectAddr' | 'redirectUrl', target: string): string {
  const element = action === 'redirectAddr' ? 'RedirectAddr' : 'RedirectUrl';
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${NS}">
  <Response xmlns="${OUTLOOK_SCHEMA}">
    <Account>
      <AccountType>email</AccountType>
      <Action>${action}</Action>
      <${element}>${escapeXml(target)}</${element}>
    </Account>
  </Response>
</Autodiscover>
`;
}

/** Serves /autodiscover/autodiscover.xml (IIS paths are case-insensitive). `server` is the host name this Exchange answers as. */
export async function autodiscover(req: StandinRequest, res: ServerResponse, ctx: SiteContext, log: AuthLog, server: string): Promise<void> {
  const fault = autodiscoverFault(req.host);
  // A web server that serves Autodiscover only through its plain-http redirect (the probe's case).
  if (fault?.httpRedirect) return send(res, 404, 'text/html', '<h1>404 - File or directory not found.</h1>');
  // An IIS HTTP redirect rule answers before authentication.
  if (fault?.redirect302) return sendEmpty(res, 302, { Location: fault.redirect302 });
  const user = await authenticate(req, res, log, 'autodiscover');
  if (!user) return;
  // Exchange answers an authenticated GET (or any non-POX body) with error 600, not an HTTP error.
  const body = req.body.toString('utf8');
  if (req.method !== 'POST' || !looksLikeXml(body)) return send(res, 200, XML, errorDocument(600, 'Invalid Request', false));
  const address = elementText(body, 'EMailAddress') ?? elementText(body, 'LegacyDN');
  const schema = elementText(body, 'AcceptableResponseSchema');
  if (!address || !schema) return send(res, 200, XML, errorDocument(600, 'Invalid Request', false));
  if (schema !== OUTLOOK_SCHEMA) return send(res, 200, XML, errorDocument(601, 'Provider is not available', false));
  if (fault?.redirectAddr) return send(res, 200, XML, redirectDocument('redirectAddr', fault.redirectAddr));
  if (fault?.redirectUrl) return send(res, 200, XML, redirectDocument('redirectUrl', fault.redirectUrl));
  const mailbox = findMailbox(address);
  if (!mailbox) return send(res, 200, XML, errorDocument(500, "The email address can't be found.", true));
  send(res, 200, XML, settingsDocument(mailbox.address, server, ctx.authority(server)));
}
