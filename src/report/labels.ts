// Every word a report prints, in both languages: renderers only lay them out.
import type { CheckId, CheckStatus, DiagnosticStatus, Locale, Verdict } from '../diagnostics/types.js';

export interface Labels {
  title: string;
  account: string;
  diagnosticId: string;
  status: string;
  platform: string;
  server: string;
  created: string;
  finished: string;
  duration: string;
  metadata: string;
  verdict: string;
  primaryCause: string;
  otherCauses: string;
  noCause: string;
  fix: string;
  checks: string;
  check: string;
  code: string;
  message: string;
  evidence: string;
  explainedBy: string;
  skippedBecause: string;
  notFinished: string;
  runError: string;
  moreInfo: string;
  verdicts: Record<Verdict, string>;
  statuses: Record<CheckStatus, string>;
  runStatuses: Record<DiagnosticStatus, string>;
  checkNames: Record<CheckId, string>;
}

const en: Labels = {
  title: 'Mailbox diagnostic',
  account: 'Mailbox',
  diagnosticId: 'Diagnostic',
  status: 'Status',
  platform: 'Platform',
  server: 'Server',
  created: 'Requested',
  finished: 'Finished',
  duration: 'Duration',
  metadata: 'Reference',
  verdict: 'Verdict',
  primaryCause: 'Root cause',
  otherCauses: 'Other independent problems',
  noCause: 'No problem found.',
  fix: 'How to fix',
  checks: 'Checks',
  check: 'Check',
  code: 'Code',
  message: 'Result',
  evidence: 'Evidence',
  explainedBy: 'Consequence of',
  skippedBecause: 'Not run because',
  notFinished: 'The diagnostic is not finished yet: this report shows the results so far.',
  runError: 'The diagnostic could not run to the end',
  moreInfo: 'More information',
  verdicts: { healthy: 'Healthy', degraded: 'Works, with warnings', failing: 'Not working', inconclusive: 'Inconclusive (we could not decide)' },
  statuses: { pass: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped', error: 'Could not check' },
  runStatuses: { queued: 'queued', running: 'running', completed: 'completed', failed: 'failed', cancelled: 'cancelled' },
  checkNames: {
    account: 'Account state', domain: 'Domain registration', mx: 'MX records', 'mx-tls': 'Inbound encryption (MX TLS, MTA-STS)', srv: 'Autodiscover SRV record',
    spf: 'SPF record', dmarc: 'DMARC policy', dkim: 'DKIM signing',
    autodiscover: 'Autodiscover', webmail: 'Webmail sign-in', imap: 'IMAP sign-in', send: 'Sending (SMTP)',
    receive: 'Receiving', 'mail-auth': 'How the platform judged the test mail (SPF, DKIM, DMARC)', outbound: 'Sending servers\' reputation', incidents: 'Platform incidents',
  },
};

const fr: Labels = {
  title: 'Diagnostic de la boîte mail',
  account: 'Boîte mail',
  diagnosticId: 'Diagnostic',
  status: 'État',
  platform: 'Offre',
  server: 'Serveur',
  created: 'Demandé le',
  finished: 'Terminé le',
  duration: 'Durée',
  metadata: 'Référence',
  verdict: 'Verdict',
  primaryCause: 'Cause principale',
  otherCauses: 'Autres problèmes indépendants',
  noCause: 'Aucun problème détecté.',
  fix: 'Comment corriger',
  checks: 'Vérifications',
  check: 'Vérification',
  code: 'Code',
  message: 'Résultat',
  evidence: 'Éléments techniques',
  explainedBy: 'Conséquence de',
  skippedBecause: 'Non effectuée car',
  notFinished: 'Le diagnostic n’est pas terminé : ce rapport montre les résultats obtenus jusqu’ici.',
  runError: 'Le diagnostic n’a pas pu aller jusqu’au bout',
  moreInfo: 'En savoir plus',
  verdicts: { healthy: 'Fonctionne', degraded: 'Fonctionne, avec des avertissements', failing: 'Ne fonctionne pas', inconclusive: 'Non concluant (nous n’avons pas pu trancher)' },
  statuses: { pass: 'OK', warn: 'Avertissement', fail: 'Échec', skipped: 'Non effectuée', error: 'Vérification impossible' },
  runStatuses: { queued: 'en attente', running: 'en cours', completed: 'terminé', failed: 'en échec', cancelled: 'annulé' },
  checkNames: {
    account: 'État du compte', domain: 'Enregistrement du domaine', mx: 'Enregistrements MX', 'mx-tls': 'Chiffrement en réception (TLS des MX, MTA-STS)', srv: 'Enregistrement SRV Autodiscover',
    spf: 'Enregistrement SPF', dmarc: 'Politique DMARC', dkim: 'Signature DKIM',
    autodiscover: 'Autodiscover', webmail: 'Connexion au webmail', imap: 'Connexion IMAP', send: 'Envoi (SMTP)',
    receive: 'Réception', 'mail-auth': 'Jugement des e-mails de test par la plateforme (SPF, DKIM, DMARC)', outbound: 'Réputation des serveurs d\'envoi', incidents: 'Incidents de la plateforme',
  },
};

export const LABELS: Record<Locale, Labels> = { en, fr };
