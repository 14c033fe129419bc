// Built-in profiles, from the support guides in shared/seeds (OVHcloud Exchange offers, EU and Canada).
import type { PlatformProfile } from './profile.js';

const common = {
  srv: { target: '{server}', port: 443, priority: 0, weight: 0 },
  imap: { host: '{server}', port: 993 },
  smtp: { host: '{server}', port: 587 },
  ews: 'https://{server}/EWS/Exchange.asmx',
  owa: 'https://{server}/owa/',
  // OVHcloud's guides give "v=spf1 include:mx.ovh.com ~all" for its e-mail offers.
  spf: { include: ['mx.ovh.com'] },
};
const euStatus = { url: 'https://web-cloud.status-ovhcloud.com/api/v2', components: ['Exchange'] };

export const defaultProfiles: Record<string, PlatformProfile> = {
  'hosted-eu': { label: 'Hosted Exchange (EU), antispam', server: 'ex.mail.ovh.net', mx: ['mx0.mail.ovh.net', 'mx1.mail.ovh.net', 'mx2.mail.ovh.net', 'mx3.mail.ovh.net'], ...common, statusPage: euStatus },
  'hosted-eu-no-antispam': { label: 'Hosted Exchange (EU), cohabitation POP/IMAP, no antispam', server: 'ex.mail.ovh.net', mx: ['{server}'], ...common, statusPage: euStatus },
  'private-eu': { label: 'Private Exchange (EU), antispam', server: 'ex.mail.ovh.net', mx: ['mx0.mail.ovh.net', 'mx1.mail.ovh.net', 'mx2.mail.ovh.net', 'mx3.mail.ovh.net'], ...common, statusPage: euStatus },
  'private-eu-no-antispam': { label: 'Private Exchange (EU), no antispam (MX is the server certificate name)', server: 'ex.mail.ovh.net', mx: ['{server}'], ...common, statusPage: euStatus },
  'hosted-ca': { label: 'Hosted Exchange (Canada)', server: 'ex.mail.ovh.ca', mx: ['mx0.mail.ovh.ca', 'mx2.mail.ovh.ca', 'mx3.mail.ovh.ca', 'mx4.mail.ovh.ca'], ...common, statusPage: euStatus },
  'hosted-ca-external-imap': { label: 'Hosted Exchange (Canada) with POP/IMAP hosted elsewhere', server: 'ex.mail.ovh.ca', mx: ['{server}'], ...common, statusPage: euStatus },
};
