// The explicit map of checks. Order here is the order of results and reports.
import { accountCheck } from '../checks/account.js';
import { autodiscoverCheck } from '../checks/autodiscover.js';
import { dkimCheck } from '../checks/dkim.js';
import { dmarcCheck } from '../checks/dmarc.js';
import { domainCheck } from '../checks/domain.js';
import { imapCheck } from '../checks/imap.js';
import { incidentsCheck } from '../checks/incidents.js';
import { mailAuthCheck } from '../checks/mail-auth.js';
import { mxCheck } from '../checks/mx.js';
import { mxTlsCheck } from '../checks/mx-tls.js';
import { outboundCheck } from '../checks/outbound.js';
import { receiveCheck } from '../checks/receive.js';
import { sendCheck } from '../checks/send.js';
import { spfCheck } from '../checks/spf.js';
import { srvCheck } from '../checks/srv.js';
import { webmailCheck } from '../checks/webmail.js';
import { CHECK_IDS, type CheckDefinition, type CheckId } from '../diagnostics/types.js';

export function createRegistry(): ReadonlyMap<CheckId, CheckDefinition> {
  const defs = [
    accountCheck, domainCheck, mxCheck, mxTlsCheck, srvCheck, spfCheck, dmarcCheck, dkimCheck, autodiscoverCheck, webmailCheck, imapCheck,
    sendCheck, receiveCheck, mailAuthCheck, outboundCheck, incidentsCheck,
  ];
  const map = new Map<CheckId, CheckDefinition>(defs.map((d) => [d.id, d]));
  for (const id of CHECK_IDS) if (!map.has(id)) throw new Error(`check ${id} is not registered`);
  return map;
}
