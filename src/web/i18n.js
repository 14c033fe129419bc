// Every word the support page prints, in French and English. Check names come from the service
// (check-names.js, built from the report's labels), so a new check needs no edit here.
import { CHECK_NAMES } from './check-names.js';

const en = {
  pageTitle: 'Mailbox diagnostics — support', skip: 'Skip to content', heading: 'Mailbox diagnostics', language: 'Language',
  keyHeading: 'API key', keyLabel: 'API key (kept in this browser tab only)',
  runHeading: 'Run a diagnostic', accountLabel: 'Mailbox address', passwordLabel: 'Mailbox password',
  passwordHint: 'Sent once to the service, never stored in this page.',
  ticketLabel: 'Ticket reference (optional)', ticketHint: 'Shown in the report and sent with the webhook.',
  platformLabel: 'Platform', platformDefault: 'The default platform',
  platformHosts: (p) => `Server ${p.server} · MX ${p.mx.join(', ')} · IMAP ${p.imap.host}:${p.imap.port} · SMTP ${p.smtp.host}:${p.smtp.port}`,
  platformsNeedKey: 'Enter the API key to list the platforms.',
  serverLabel: 'Account server (optional)',
  serverHint: (server) => `Empty: the server the provider names, else ${server || 'the platform’s'}. For an account on another server, e.g. ex3.mail.ovh.net, type it.`,
  serverFixed: 'This API key may not choose the server.',
  checksLegend: 'Checks', checksHint: 'All of them run unless you untick some.',
  checksAll: 'Tick all', checksNone: 'Untick all', needCheck: 'Choose at least one check.',
  runButton: 'Run the diagnostic',
  conflict: (account) => `A diagnostic of ${account} is already running.`, conflictOpen: 'Open the running diagnostic',
  historyHeading: 'History of a mailbox', historyButton: 'Show the history', historyMore: 'Older diagnostics',
  historyEmpty: 'No diagnostic of this mailbox yet.', historyCount: (n) => `${n} diagnostic${n === 1 ? '' : 's'} shown.`,
  historyCaption: (account) => `Diagnostics of ${account}, newest first`,
  cols: { requested: 'Requested', status: 'Status', verdict: 'Verdict', cause: 'Root cause', ticket: 'Ticket', open: 'Open' },
  openRow: (when) => `Open the diagnostic of ${when}`,
  openHeading: 'Open an existing diagnostic', idLabel: 'Diagnostic id', openButton: 'Open',
  progressHeading: 'Progress', diagnosticLabel: 'Diagnostic',
  meta: { account: 'Mailbox', platform: 'Platform', server: 'Server', ticket: 'Ticket' },
  cancelButton: 'Cancel this diagnostic', cancelRequested: 'Cancellation requested; the checks are stopping.',
  reportHeading: 'Report', copyButton: 'Copy the report (Markdown)', printButton: 'Print the report',
  evidenceToggle: 'Show all the evidence',
  copied: 'Report copied to the clipboard.', copyFailed: 'Could not copy: select the report and copy it by hand.',
  deliveriesHeading: 'Webhook deliveries', deliveriesEmpty: 'No webhook delivery for this diagnostic yet.',
  deliveriesCaption: 'Every delivery attempt, oldest first',
  dcols: { at: 'When', event: 'Event', attempt: 'Attempt', trigger: 'Why', outcome: 'Outcome', http: 'HTTP', ms: 'Time', detail: 'Details' },
  triggers: { event: 'end of the diagnostic', resend: 'sent again' },
  outcomes: { delivered: 'delivered', failed: 'failed', gone: 'gone (410): no more sends', refused: 'refused (address not allowed)', skipped: 'skipped' },
  nextRetry: (when) => `next try ${when}`,
  refreshButton: 'Refresh', resendButton: 'Send the webhook again',
  resendQueued: (url) => `Queued for delivery to ${url}.`,
  needKey: 'Enter your API key first.', needAccount: 'Enter a mailbox address and its password.', needId: 'Enter a diagnostic id.',
  needHistoryAccount: 'Enter a mailbox address.',
  verdict: 'Verdict', reconnecting: 'Connection lost, reconnecting…', network: 'The service could not be reached.',
  status: { pending: 'Waiting', running: 'Checking…', stopped: 'Not run to the end', pass: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped', error: 'Could not check' },
  run: { queued: 'queued', running: 'running', completed: 'completed', failed: 'failed', cancelled: 'cancelled' },
  verdicts: { healthy: 'Healthy', degraded: 'Works, with warnings', failing: 'Not working', inconclusive: 'Inconclusive' },
};

const fr = {
  pageTitle: 'Diagnostic de boîte mail — support', skip: 'Aller au contenu', heading: 'Diagnostic de boîte mail', language: 'Langue',
  keyHeading: 'Clé d’API', keyLabel: 'Clé d’API (gardée dans cet onglet uniquement)',
  runHeading: 'Lancer un diagnostic', accountLabel: 'Adresse de la boîte mail', passwordLabel: 'Mot de passe de la boîte',
  passwordHint: 'Envoyé une fois au service, jamais conservé par cette page.',
  ticketLabel: 'Référence du ticket (facultatif)', ticketHint: 'Affichée dans le rapport et envoyée avec le webhook.',
  platformLabel: 'Offre', platformDefault: 'L’offre par défaut',
  platformHosts: (p) => `Serveur ${p.server} · MX ${p.mx.join(', ')} · IMAP ${p.imap.host}:${p.imap.port} · SMTP ${p.smtp.host}:${p.smtp.port}`,
  platformsNeedKey: 'Saisissez la clé d’API pour voir les offres.',
  serverLabel: 'Serveur du compte (facultatif)',
  serverHint: (server) => `Vide : le serveur indiqué par le fournisseur, sinon ${server || 'celui de l’offre'}. Pour un compte sur un autre serveur, par exemple ex3.mail.ovh.net, saisissez-le.`,
  serverFixed: 'Cette clé d’API ne peut pas choisir le serveur.',
  checksLegend: 'Vérifications', checksHint: 'Toutes sont lancées, sauf celles que vous décochez.',
  checksAll: 'Tout cocher', checksNone: 'Tout décocher', needCheck: 'Choisissez au moins une vérification.',
  runButton: 'Lancer le diagnostic',
  conflict: (account) => `Un diagnostic de ${account} est déjà en cours.`, conflictOpen: 'Ouvrir le diagnostic en cours',
  historyHeading: 'Historique d’une boîte mail', historyButton: 'Afficher l’historique', historyMore: 'Diagnostics plus anciens',
  historyEmpty: 'Aucun diagnostic de cette boîte pour l’instant.', historyCount: (n) => `${n} diagnostic${n === 1 ? '' : 's'} affiché${n === 1 ? '' : 's'}.`,
  historyCaption: (account) => `Diagnostics de ${account}, du plus récent au plus ancien`,
  cols: { requested: 'Demandé le', status: 'État', verdict: 'Verdict', cause: 'Cause principale', ticket: 'Ticket', open: 'Ouvrir' },
  openRow: (when) => `Ouvrir le diagnostic du ${when}`,
  openHeading: 'Ouvrir un diagnostic existant', idLabel: 'Identifiant du diagnostic', openButton: 'Ouvrir',
  progressHeading: 'Progression', diagnosticLabel: 'Diagnostic',
  meta: { account: 'Boîte mail', platform: 'Offre', server: 'Serveur', ticket: 'Ticket' },
  cancelButton: 'Annuler ce diagnostic', cancelRequested: 'Annulation demandée ; les vérifications s’arrêtent.',
  reportHeading: 'Rapport', copyButton: 'Copier le rapport (Markdown)', printButton: 'Imprimer le rapport',
  evidenceToggle: 'Afficher tous les éléments techniques',
  copied: 'Rapport copié dans le presse-papiers.', copyFailed: 'Copie impossible : sélectionnez le rapport et copiez-le à la main.',
  deliveriesHeading: 'Envois du webhook', deliveriesEmpty: 'Aucun envoi de webhook pour ce diagnostic pour l’instant.',
  deliveriesCaption: 'Chaque tentative d’envoi, de la plus ancienne à la plus récente',
  dcols: { at: 'Quand', event: 'Événement', attempt: 'Tentative', trigger: 'Origine', outcome: 'Résultat', http: 'HTTP', ms: 'Durée', detail: 'Détails' },
  triggers: { event: 'fin du diagnostic', resend: 'renvoi' },
  outcomes: { delivered: 'remis', failed: 'échec', gone: 'refusé définitivement (410)', refused: 'refusé (adresse non autorisée)', skipped: 'ignoré' },
  nextRetry: (when) => `prochain essai ${when}`,
  refreshButton: 'Actualiser', resendButton: 'Renvoyer le webhook',
  resendQueued: (url) => `Envoi programmé vers ${url}.`,
  needKey: 'Saisissez d’abord votre clé d’API.', needAccount: 'Saisissez une adresse et son mot de passe.', needId: 'Saisissez un identifiant de diagnostic.',
  needHistoryAccount: 'Saisissez une adresse de boîte mail.',
  verdict: 'Verdict', reconnecting: 'Connexion perdue, reconnexion…', network: 'Le service est injoignable.',
  status: { pending: 'En attente', running: 'Vérification…', stopped: 'Non terminée', pass: 'OK', warn: 'Avertissement', fail: 'Échec', skipped: 'Non effectuée', error: 'Vérification impossible' },
  run: { queued: 'en attente', running: 'en cours', completed: 'terminé', failed: 'en échec', cancelled: 'annulé' },
  verdicts: { healthy: 'Fonctionne', degraded: 'Fonctionne, avec des avertissements', failing: 'Ne fonctionne pas', inconclusive: 'Non concluant' },
};

const T = { en: { ...en, checks: CHECK_NAMES.en }, fr: { ...fr, checks: CHECK_NAMES.fr } };
let current = 'en';

export const locale = () => current;
/** The words of the current language. */
export const t = () => T[current];

/** Switches the language and translates every `data-i18n` text and `data-i18n-attr` attribute. */
export function applyLocale(wanted) {
  current = T[wanted] ? wanted : 'en';
  const w = T[current];
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = w[el.dataset.i18n];
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    const [attr, key] = el.dataset.i18nAttr.split(':');
    el.setAttribute(attr, w[key]);
  }
  return current;
}

/** A date and time in the current language ("" for none). */
export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}
