// Autodiscover and EWS answers in the shapes Microsoft documents ([MS-OXDSCLI], the POX and EWS
// references; summarised in shared/reference/exchange-protocol-facts.md), and hostile documents
// that must be refused in bounded time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePoxResponse } from '../../src/checks/http/pox.js';
import { parseGetFolderResponse } from '../../src/checks/http/soap.js';
import { parseXml, XML_LIMITS } from '../../src/checks/http/xml.js';

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

// The documented settings answer: EXCH (ASUrl only, as in the reference sample), EXPR, and a WEB
// protocol whose Internal/External blocks each hold a nested Protocol with only Type and ASUrl.
const SETTINGS = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response xmlns="${OUTLOOK_NS}">
    <User>
      <DisplayName>First Last</DisplayName>
      <LegacyDN>/o=contoso/ou=First Administrative Group/cn=Recipients/cn=iuser885646</LegacyDN>
      <DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXCH</Type>
        <Server>MBX-SERVER.mail.internal.contoso.com</Server>
        <ServerDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX-SERVER</ServerDN>
        <ServerVersion>72008287</ServerVersion>
        <ASUrl>https://mail.contoso.com/ews/exchange.asmx</ASUrl>
        <OOFUrl>https://mail.contoso.com/ews/exchange.asmx</OOFUrl>
        <OABUrl>https://mail.contoso.com/OAB/d29844a9-724e-468c-8820-0f7b345b767b/</OABUrl>
      </Protocol>
      <Protocol>
        <Type>WEB</Type>
        <Internal>
          <OWAUrl AuthenticationMethod="Basic, Fba">https://internal.contoso.com/owa</OWAUrl>
          <Protocol>
            <Type>EXCH</Type>
            <ASUrl>https://internal.contoso.com/ews/exchange.asmx</ASUrl>
          </Protocol>
        </Internal>
        <External>
          <OWAUrl AuthenticationMethod="Fba">https://mail.contoso.com/owa</OWAUrl>
          <Protocol>
            <Type>EXPR</Type>
            <ASUrl>https://mail.contoso.com/ews/exchange.asmx</ASUrl>
          </Protocol>
        </External>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>mail.contoso.com</Server>
        <ASUrl>https://mail.contoso.com/ews/exchange.asmx</ASUrl>
        <EwsUrl>https://mail.contoso.com/EWS/Exchange.asmx?a=1&amp;b=2</EwsUrl>
        <SSL>On</SSL>
        <AuthPackage>Basic</AuthPackage>
      </Protocol>
      <Protocol Type="mapiHttp" Version="1">
        <MailStore><InternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=x@contoso.com</InternalUrl></MailStore>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>`;

test('POX settings: the nested Protocol elements of a WEB protocol stay inside it; EXPR is kept', () => {
  const a = parsePoxResponse(SETTINGS);
  assert.equal(a.kind, 'settings', JSON.stringify(a));
  if (a.kind !== 'settings') return;
  assert.deepEqual(a.protocols.map((p) => p.type), ['EXCH', 'WEB', 'EXPR', 'MAPIHTTP']);
  const [exch, web, expr] = a.protocols;
  assert.equal(exch.server, 'MBX-SERVER.mail.internal.contoso.com');
  assert.equal(exch.ewsUrl, 'https://mail.contoso.com/ews/exchange.asmx', 'ASUrl binds EWS when EwsUrl is absent');
  assert.equal(web.server, undefined);
  assert.equal(web.ewsUrl, undefined, 'the nested ASUrl is not the WEB protocol\'s own');
  assert.equal(web.owaUrl, 'https://internal.contoso.com/owa');
  assert.equal(expr.server, 'mail.contoso.com');
  assert.equal(expr.ewsUrl, 'https://mail.contoso.com/EWS/Exchange.asmx?a=1&b=2', 'predefined entities are decoded');
  assert.equal(a.ewsUrl, 'https://mail.contoso.com/EWS/Exchange.asmx?a=1&b=2', 'an explicit EwsUrl wins over ASUrl');
  assert.equal(a.displayName, 'First Last');
});

test('POX redirectAddr and redirectUrl, as documented', () => {
  assert.deepEqual(parsePoxResponse(`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account>
  <Action>redirectAddr</Action><RedirectAddr>user@subdomain.contoso.com</RedirectAddr>
</Account></Response></Autodiscover>`), { kind: 'redirectAddr', address: 'user@subdomain.contoso.com' });
  assert.deepEqual(parsePoxResponse(`<Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account>
  <AccountType>email</AccountType><Action>redirectUrl</Action>
  <RedirectUrl>https://autodiscover.contoso.com/autodiscover/autodiscover.xml</RedirectUrl>
</Account></Response></Autodiscover>`), { kind: 'redirectUrl', url: 'https://autodiscover.contoso.com/autodiscover/autodiscover.xml' });
  assert.deepEqual(parsePoxResponse(`<Autodiscover><Response><Account><Action>redirectUrl</Action></Account></Response></Autodiscover>`),
    { kind: 'invalid', reason: 'redirectUrl without RedirectUrl' });
});

test('POX Error: under Response (documented sample, 2006 namespace) and under Account', () => {
  assert.deepEqual(parsePoxResponse(`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response>
    <Error Time="16:56:32.6164027" Id="1054084152">
      <ErrorCode>600</ErrorCode>
      <Message>Invalid Request</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>`), { kind: 'error', errorCode: '600', message: 'Invalid Request' });
  assert.deepEqual(parsePoxResponse(`<Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account><Error Time="1" Id="2">
    <ErrorCode>500</ErrorCode><Message>The email address can&apos;t be found.</Message><DebugData/></Error></Account></Response></Autodiscover>`),
  { kind: 'error', errorCode: '500', message: "The email address can't be found." });
});

test('POX: not Autodiscover, malformed, DOCTYPE and unknown entities are refused or left unexpanded', () => {
  assert.match((parsePoxResponse('<html><body>login</body></html>') as { reason: string }).reason, /not an Autodiscover document/);
  assert.match((parsePoxResponse('<Autodiscover><Response><Account></Response></Autodiscover>') as { reason: string }).reason, /not well-formed/);
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>&lol2;</RedirectAddr></Account></Response></Autodiscover>`;
  assert.deepEqual(parsePoxResponse(bomb), { kind: 'invalid', reason: 'DOCTYPE declarations are not accepted' });
  const unknown = parsePoxResponse('<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>&ext;u@x.test</RedirectAddr></Account></Response></Autodiscover>');
  assert.deepEqual(unknown, { kind: 'redirectAddr', address: '&ext;u@x.test' }, 'an undeclared entity is text, never expanded');
  assert.deepEqual(parsePoxResponse('<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr><![CDATA[u&amp;@x.test]]></RedirectAddr></Account></Response></Autodiscover>'),
    { kind: 'redirectAddr', address: 'u&amp;@x.test' }, 'CDATA is taken verbatim');
});

test('EWS GetFolder in the documented shape: success, error with HTTP 200, SOAP fault', () => {
  const ok = parseGetFolderResponse(`<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6"
      xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types"/>
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
        <m:GetFolderResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Folders>
            <t:Folder>
              <t:FolderId Id="AAMkAGU=" ChangeKey="AQAAABYA"/>
              <t:DisplayName>Inbox</t:DisplayName>
              <t:TotalCount>12</t:TotalCount>
              <t:ChildFolderCount>2</t:ChildFolderCount>
              <t:UnreadCount>3</t:UnreadCount>
            </t:Folder>
          </m:Folders>
        </m:GetFolderResponseMessage>
      </m:ResponseMessages>
    </m:GetFolderResponse>
  </s:Body>
</s:Envelope>`);
  assert.deepEqual(ok, { kind: 'folder', responseClass: 'Success', responseCode: 'NoError', totalCount: 12, unreadCount: 3, displayName: 'Inbox' });
  const err = parseGetFolderResponse(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
    <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages>
    <m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>Id is malformed.</m:MessageText>
    <m:ResponseCode>ErrorInvalidIdMalformed</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Folders/></m:GetFolderResponseMessage>
    </m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>`);
  assert.deepEqual(err, { kind: 'error', responseClass: 'Error', responseCode: 'ErrorInvalidIdMalformed', message: 'Id is malformed.' });
  const fault = parseGetFolderResponse(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
    <faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>
    <faultstring xml:lang="en-US">The server cannot service this request right now.</faultstring></s:Fault></s:Body></s:Envelope>`);
  assert.deepEqual(fault, { kind: 'fault', faultCode: 'a:ErrorServerBusy', faultString: 'The server cannot service this request right now.' });
  assert.equal(parseGetFolderResponse('<Autodiscover/>').kind, 'invalid');
});

/** Runs `fn` and prints how long it took; returns the duration, ms. */
function timed<T>(label: string, fn: () => T): [T, number] {
  const t0 = performance.now();
  const v = fn();
  const ms = performance.now() - t0;
  console.log(`xml: ${label}: ${ms.toFixed(1)} ms`);
  return [v, ms];
}

test('hostile documents are refused in bounded time (1 MB of unclosed tags included)', () => {
  const head = `<?xml version="1.0"?><Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account><Action>settings</Action>`;
  const cases: Array<[string, string, RegExp]> = [
    ['1 MB of unclosed <Protocol> tags', head + '<Protocol><Type>EXCH</Type>'.repeat(Math.ceil((1 << 20) / 26)), /larger than/],
    ['256 KB of unclosed <Protocol> tags (what the HTTP cap lets through)', (head + '<Protocol>'.repeat(30_000)).slice(0, XML_LIMITS.maxChars), /nested deeper than 32/],
    ['256 KB of sibling elements', (head + '<Protocol/>'.repeat(30_000)).slice(0, XML_LIMITS.maxChars), /more than 2000 elements/],
    ['an attribute value that never ends', `${head}<Protocol Type="${'x'.repeat(200_000)}`, /not well-formed/],
    ['a comment that never ends', `${head}<!--${'x'.repeat(200_000)}`, /not well-formed/],
    ['a CDATA section that never ends', `${head}<Protocol><![CDATA[${'x'.repeat(200_000)}`, /not well-formed/],
    ['200 KB of "<"', `${head}${'<'.repeat(200_000)}`, /not well-formed/],
  ];
  for (const [label, doc, reason] of cases) {
    const [answer, ms] = timed(`${label} (${Math.round(doc.length / 1024)} KB)`, () => parsePoxResponse(doc));
    assert.equal(answer.kind, 'invalid', label);
    assert.match((answer as { reason: string }).reason, reason, label);
    assert.ok((answer as { reason: string }).reason.length < 300, 'the reason stays short (it ends up in evidence)');
    // The regex reader this replaces took about 1.3 s for 224 KB of unclosed tags.
    assert.ok(ms < 250, `${label}: ${ms.toFixed(0)} ms`);
  }
  // A legitimate document near the limits still parses: 31 levels deep, under 2000 elements.
  const deep = `${'<a>'.repeat(31)}x${'</a>'.repeat(31)}`;
  assert.equal(parseXml(deep).ok, true);
  assert.match((parseXml(`${'<a>'.repeat(40)}x${'</a>'.repeat(40)}`) as { reason: string }).reason, /nested deeper/);
  const many = `${head}${'<Protocol><Type>EXCH</Type><Server>s</Server></Protocol>'.repeat(600)}</Account></Response></Autodiscover>`;
  const [big] = timed('600 protocols (1800 elements, 34 KB)', () => parsePoxResponse(many));
  assert.equal(big.kind === 'settings' && big.protocols.length, 600);
});
