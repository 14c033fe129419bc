import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePoxResponse, poxRequest } from '../../src/checks/http/pox.js';
import { baseUrlFor, parseRdapDomain, rdapDomainUrl } from '../../src/checks/http/rdap.js';
import { getInboxRequest, parseGetFolderResponse } from '../../src/checks/http/soap.js';
import { parseUnresolved, relevantIncidents } from '../../src/checks/http/statuspage.js';
import { classifyTransportError } from '../../src/net/errors.js';
import { offeredSchemes, parseWwwAuthenticate } from '../../src/checks/http/www-authenticate.js';

test('WWW-Authenticate: several challenges, params, token68, several headers', () => {
  const c = parseWwwAuthenticate(['Negotiate, NTLM', 'Basic realm="ex.lab.test", charset="UTF-8"']);
  assert.deepEqual(offeredSchemes(c), ['negotiate', 'ntlm', 'basic']);
  assert.equal(c[2].params.realm, 'ex.lab.test');
  assert.equal(c[2].params.charset, 'UTF-8');
  const one = parseWwwAuthenticate('Bearer realm="a, b", error="invalid_token", Basic realm=x, Negotiate YIIabc==');
  assert.deepEqual(offeredSchemes(one), ['bearer', 'basic', 'negotiate']);
  assert.equal(one[0].params.realm, 'a, b');
  assert.equal(one[0].params.error, 'invalid_token');
  assert.equal(one[1].params.realm, 'x');
  assert.equal(one[2].token68, 'YIIabc==');
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
});

test('POX: request carries the address escaped; settings, redirects and errors parse', () => {
  assert.match(poxRequest('a&b@x.test'), /<EMailAddress>a&amp;b@x\.test<\/EMailAddress>/);
  const settings = `<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
    <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User><DisplayName>Healthy</DisplayName></User><Account><AccountType>email</AccountType><Action>settings</Action>
    <Protocol><Type>WEB</Type></Protocol>
    <Protocol><Type>EXCH</Type><Server>ex.lab.test</Server><EwsUrl>https://ex.lab.test/EWS/Exchange.asmx</EwsUrl></Protocol>
    <Protocol><Type>EXPR</Type><Server>ex.lab.test</Server><EwsUrl>https://ex.lab.test/EWS/Exchange.asmx</EwsUrl></Protocol>
    </Account></Response></Autodiscover>`;
  const s = parsePoxResponse(settings);
  assert.equal(s.kind, 'settings');
  if (s.kind === 'settings') {
    assert.equal(s.ewsUrl, 'https://ex.lab.test/EWS/Exchange.asmx');
    assert.deepEqual(s.protocols.map((p) => p.type), ['WEB', 'EXCH', 'EXPR']);
    assert.equal(s.displayName, 'Healthy');
  }
  const web = parsePoxResponse('<Autodiscover><Response><Account><Action>settings</Action><Protocol><Type>WEB</Type></Protocol></Account></Response></Autodiscover>');
  assert.equal(web.kind === 'settings' && web.ewsUrl, undefined);
  assert.deepEqual(parsePoxResponse('<Autodiscover><Response><Account><Action>redirectAddr</Action><RedirectAddr>u@other.test</RedirectAddr></Account></Response></Autodiscover>'), { kind: 'redirectAddr', address: 'u@other.test' });
  assert.deepEqual(parsePoxResponse('<a:Autodiscover xmlns:a="x"><a:Response><a:Account><a:Action>redirectUrl</a:Action><a:RedirectUrl>https://b.test/autodiscover/autodiscover.xml</a:RedirectUrl></a:Account></a:Response></a:Autodiscover>'), { kind: 'redirectUrl', url: 'https://b.test/autodiscover/autodiscover.xml' });
  const err = parsePoxResponse('<Autodiscover><Response><Error Time="1" Id="2"><ErrorCode>500</ErrorCode><Message>The e-mail address cannot be found.</Message></Error></Response></Autodiscover>');
  assert.deepEqual(err, { kind: 'error', errorCode: '500', message: 'The e-mail address cannot be found.' });
  assert.equal(parsePoxResponse('<html>login</html>').kind, 'invalid');
});

test('EWS GetFolder: request names the inbox; success, error and fault parse', () => {
  assert.match(getInboxRequest(), /DistinguishedFolderId Id="inbox"/);
  const ok = parseGetFolderResponse(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse><m:ResponseMessages>
    <m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder>
    <t:DisplayName>Inbox</t:DisplayName><t:TotalCount>12</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>3</t:UnreadCount>
    </t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>`);
  assert.deepEqual(ok, { kind: 'folder', responseClass: 'Success', responseCode: 'NoError', totalCount: 12, unreadCount: 3, displayName: 'Inbox' });
  const err = parseGetFolderResponse('<s:Envelope><s:Body><m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>no mailbox</m:MessageText><m:ResponseCode>ErrorNonExistentMailbox</m:ResponseCode></m:GetFolderResponseMessage></s:Body></s:Envelope>');
  assert.deepEqual(err, { kind: 'error', responseClass: 'Error', responseCode: 'ErrorNonExistentMailbox', message: 'no mailbox' });
  const fault = parseGetFolderResponse('<soap:Envelope><soap:Body><soap:Fault><faultcode>a:ErrorSchemaValidation</faultcode><faultstring>bad request</faultstring></soap:Fault></soap:Body></soap:Envelope>');
  assert.deepEqual(fault, { kind: 'fault', faultCode: 'a:ErrorSchemaValidation', faultString: 'bad request' });
});

test('RDAP: expiration and holds from events/status; bootstrap picks the longest suffix and https', () => {
  const f = parseRdapDomain({
    ldhName: 'example.test',
    status: ['active', 'client hold'],
    events: [{ eventAction: 'registration', eventDate: '2020-01-01T00:00:00Z' }, { eventAction: 'expiration', eventDate: '2030-05-01T00:00:00Z' }],
  });
  assert.equal(f.expiration, '2030-05-01T00:00:00.000Z');
  assert.equal(f.registration, '2020-01-01T00:00:00.000Z');
  assert.deepEqual(f.holds, ['client hold']);
  assert.deepEqual(parseRdapDomain({ events: [{ eventAction: 'expiration', eventDate: 'soon' }] }), { ldhName: undefined, expiration: undefined, registration: undefined, status: [], holds: [] });
  const boot = { services: [[['test'], ['http://rdap.a/', 'https://rdap.a/']], [['lab.test'], ['https://rdap.b/v1']], [['com', 'net'], ['https://rdap.c/']]] as Array<[string[], string[]]> };
  assert.equal(baseUrlFor(boot, 'healthy.test'), 'https://rdap.a/');
  assert.equal(baseUrlFor(boot, 'x.lab.test'), 'https://rdap.b/v1/');
  assert.equal(baseUrlFor(boot, 'x.org'), undefined);
  assert.equal(rdapDomainUrl('https://rdap.lab.test', 'Healthy.Test'), 'https://rdap.lab.test/domain/healthy.test');
});

test('Statuspage: open incidents filtered by watched components (case-insensitive)', () => {
  const all = parseUnresolved({ incidents: [
    { name: 'Exchange lab: degraded IMAP', status: 'investigating', impact: 'major', shortlink: 'https://s/1', components: [{ name: 'Exchange Lab' }] },
    { name: 'Web hosting slow', status: 'identified', impact: 'minor', components: [{ name: 'Hosting' }] },
    { name: 'Exchange lab outage (untagged)', status: 'monitoring', impact: 'critical', components: [] },
    { name: 'Old', status: 'resolved', impact: 'none', components: [{ name: 'Exchange lab' }] },
  ] })!;
  assert.equal(all.length, 4);
  assert.deepEqual(relevantIncidents(all, ['exchange lab']).map((i) => i.name), ['Exchange lab: degraded IMAP', 'Exchange lab outage (untagged)']);
  assert.equal(relevantIncidents(all, []).length, 3);
  assert.deepEqual(relevantIncidents(all, ['Zimbra']), []);
  assert.equal(parseUnresolved({ page: {} }), undefined);
});

test('transport errors: certificate, DNS, refused, timeout', () => {
  assert.equal(classifyTransportError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' })).kind, 'tls');
  assert.equal(classifyTransportError(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).kind, 'tls');
  assert.equal(classifyTransportError(Object.assign(new Error('DNS lookup of x.test failed: nxdomain'), { code: 'ENOTFOUND', hostname: 'x.test' })).kind, 'dns');
  assert.equal(classifyTransportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.9:443'), { code: 'ECONNREFUSED' })).kind, 'refused');
  assert.equal(classifyTransportError(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' })).kind, 'timeout');
  assert.equal(classifyTransportError(new DOMException('aborted', 'AbortError')).kind, 'aborted');
  // The exchange's own time budget (AbortSignal.timeout) ran out: a slow server, e.g. a slowloris.
  assert.deepEqual(classifyTransportError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    { kind: 'timeout', code: 'EXCHANGE_TIMEOUT', message: 'The operation was aborted due to timeout' });
});
