// How the platform judged our test mail, from the headers it added before the receive check deleted
// the messages: the send check's message (sent through the account) with its Authentication-Results
// (SPF, DKIM, DMARC; RFC 8601) and DKIM-Signature, and the spam verdict on the inbound probe. An SPF,
// DKIM or DMARC failure on mail the account sent is what files it as spam at recipients.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { dkimSignatures, parseAuthResults, parseHeaderBlock, spamVerdict, type AuthResult, type AuthResults } from './mail/auth-results.js';

const FAILING: Record<string, ReadonlySet<string>> = {
  dmarc: new Set(['fail']),
  spf: new Set(['fail', 'softfail']),
  dkim: new Set(['fail', 'permerror']),
};

const describe = (r: AuthResult) => `${r.method}=${r.result}${r.reason ? ` (${r.reason})` : ''}`;

function sentView(headers: string, domain: string) {
  const fields = parseHeaderBlock(headers);
  const ar = fields.filter((f) => f.name === 'authentication-results').map((f) => parseAuthResults(f.value)).filter((x): x is AuthResults => !!x);
  const results = ar.flatMap((a) => a.results.map((r) => ({ ...r, authservId: a.authservId })));
  const signatures = dkimSignatures(fields.filter((f) => f.name === 'dkim-signature').map((f) => f.value));
  const aligned = signatures.filter((s) => s.domain && (s.domain === domain || domain.endsWith(`.${s.domain}`) || s.domain.endsWith(`.${domain}`)));
  const dkimPass = results.some((r) => r.method === 'dkim' && r.result === 'pass');
  // SPF alone failing is what recipients act on only when no DKIM signature passes (DMARC, RFC 7489 §4.2).
  const failures = results.filter((r) => FAILING[r.method]?.has(r.result) && !(r.method === 'spf' && dkimPass));
  return {
    evidence: {
      authenticationResults: results.map((r) => ({ authservId: r.authservId, method: r.method, result: r.result, ...(r.reason ? { reason: r.reason } : {}), ...r.props })),
      dkimSigned: signatures.length > 0,
      signatures,
      ...(signatures.length && !aligned.length ? { note: `signed by ${signatures.map((s) => s.domain).join(', ')}, not aligned with ${domain}: DMARC cannot pass on DKIM` } : {}),
      ...(spamVerdict(fields) ? { spamVerdict: spamVerdict(fields) } : {}),
    },
    results,
    failures,
    signed: signatures.length > 0,
  };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const read = ctx.facts.testMessageHeaders;
  if (!read || (!read.sent && !read.probe)) {
    return { status: 'skipped', message: `skipped: the receive check read no test message${read?.error ? ` (${read.error})` : ''}`, evidence: {} };
  }
  const probeFields = read.probe ? parseHeaderBlock(read.probe.headers) : [];
  const probeVerdict = spamVerdict(probeFields);
  const probe = read.probe ? { folder: read.probe.folder, spamVerdict: probeVerdict ?? null, fields: probeFields.filter((f) => !f.name.startsWith('dkim')) } : null;
  const sent = read.sent ? sentView(read.sent.headers, ctx.domain) : undefined;
  const evidence = { domain: ctx.domain, sent: sent ? { folder: read.sent!.folder, ...sent.evidence } : null, probe };
  const probeNote = probeVerdict ? `; the inbound probe was marked as spam (${probeVerdict})` : '';
  if (sent?.failures.length) {
    return {
      status: 'warn', code: 'SENT_MAIL_AUTH_FAILED',
      message: `the platform judged the message sent from ${ctx.account}: ${sent.failures.map(describe).join(', ')}${sent.signed ? '' : ', not DKIM-signed'}: recipients file such mail as spam or refuse it${probeNote}`,
      evidence,
    };
  }
  if (!sent) {
    return { status: 'pass', message: `the send check's message was not read back (not sent or not seen)${probeNote || '; the inbound probe carried no spam verdict'}`, evidence };
  }
  const said = sent.results.length ? sent.results.map(describe).join(', ') : 'the platform added no Authentication-Results (delivered internally)';
  return { status: 'pass', message: `message sent from ${ctx.account}: ${said}; ${sent.signed ? 'DKIM-signed' : 'not DKIM-signed'}${probeNote}`, evidence };
}

export const mailAuthCheck: CheckDefinition = { id: 'mail-auth', after: ['receive'], requires: ['receive'], usesPassword: false, timeoutMs: 5_000, run };
