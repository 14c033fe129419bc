// What each code means for the customer and how to fix it, in French and English. Wording and
// links follow the support guides in shared/seeds; a link is given only where it is known good.
import type { Code } from './codes.js';
import type { Locale, Remediation } from './types.js';

const STATUS_PAGE = 'https://web-cloud.status-ovhcloud.com/';
const LINKS = {
  spamEn: 'https://help.ovhcloud.com/csm/en-ie-email-blocked-for-spam?id=kb_article_view&sysparm_article=KB0053428',
  billingEn: 'https://help.ovhcloud.com/csm/en-gb-exchange-billing?id=kb_article_view&sysparm_article=KB0053452',
  billingFr: 'https://docs.ovh.com/fr/microsoft-collaborative-solutions/gestion-facturation-exchange/',
  securityEn: 'https://help.ovhcloud.com/csm/en-au-email-security-policy?id=kb_article_view&sysparm_article=KB0041318',
  securityFr: 'https://docs.ovh.com/ca/fr/microsoft-collaborative-solutions/gerer-politique-de-securite-mot-de-passe/',
  manager: 'https://www.ovh.com/manager/web',
  webmail: 'https://ex.mail.ovh.net',
  dkimEn: 'https://help.ovhcloud.com/csm/en-dns-zone-dkim?id=kb_article_view&sysparm_article=KB0058258',
};

const SERVER_FR = 'le nom du serveur de votre service Exchange (ex?.mail.ovh.net, visible dans l\'espace client, onglet « Informations générales », zone « Connexion »)';
const SERVER_EN = 'your Exchange service\'s server name (ex?.mail.ovh.net, shown in the Control Panel, "General information" tab, "Connection" box)';

const CATALOGUE: Record<Code, { fr: Remediation; en: Remediation }> = {
  ACCOUNT_NOT_FOUND: {
    fr: { title: 'Compte Exchange introuvable', text: 'Le fournisseur ne connaît pas cette adresse sur votre service Exchange : elle a pu être supprimée, mal saisie, ou appartenir à un autre service. Vérifiez l\'adresse dans l\'onglet « Comptes e-mail » de votre service Exchange dans l\'espace client, puis relancez le diagnostic.', link: LINKS.manager },
    en: { title: 'Exchange account not found', text: 'The provider does not know this address on your Exchange service: it may have been deleted, mistyped, or belong to another service. Check the address in the "Email accounts" tab of your Exchange service in the Control Panel, then run the diagnostic again.', link: LINKS.manager },
  },
  ACCOUNT_SUSPENDED: {
    fr: { title: 'Compte suspendu', text: 'Dans la colonne « État » des comptes e-mail, le compte apparaît « suspendu » : il n\'est plus actif, l\'envoi et la réception sont désactivés. Renouvelez l\'offre Exchange (espace client, ou support au 1007), puis relancez le diagnostic.', link: LINKS.manager },
    en: { title: 'Account suspended', text: 'The account shows as "suspended" in the "State" column of the email accounts: it is no longer active, sending and receiving are disabled. Renew the Exchange subscription (Control Panel, or contact support), then run the diagnostic again.', link: LINKS.manager },
  },
  ACCOUNT_EXPIRED: {
    fr: { title: 'Abonnement du compte expiré', text: 'Votre abonnement n\'étant plus actif, l\'envoi et la réception ont été désactivés. Pour réactiver l\'abonnement, reconfigurez sa périodicité de facturation dans l\'espace client (Actions > Configuration du renouvellement).', link: LINKS.billingFr },
    en: { title: 'Account subscription expired', text: 'The subscription is no longer active, so sending and receiving have been disabled. To reactivate it, set its billing periodicity again in the Control Panel (Actions > Renewal configuration).', link: LINKS.billingEn },
  },
  ACCOUNT_SPAM_BLOCKED: {
    fr: { title: 'Compte bloqué pour envoi de spam', text: 'Un compte bloqué reçoit toujours des e-mails, mais l\'envoi a été désactivé par la protection automatique contre le spam (mention « SPAM » dans la colonne « Statut » de l\'onglet « Comptes e-mail »). Analysez les appareils qui utilisent le compte, changez son mot de passe, puis répondez au ticket de blocage indiqué pour que les équipes de sécurité réactivent l\'envoi.' },
    en: { title: 'Account blocked for sending spam', text: 'A blocked account still receives mail, but sending has been disabled by the automatic anti-spam protection ("SPAM" in the "Status" column of the "Email accounts" tab). Scan the devices that use the account, change its password, then reply to the block ticket given here so the security team can re-enable sending.', link: LINKS.spamEn },
  },
  ACCOUNT_LOCKED: {
    fr: { title: 'Compte verrouillé par la politique de sécurité', text: 'La politique de sécurité du service verrouille temporairement un compte après plusieurs tentatives de connexion infructueuses, pour la durée que vous avez choisie. Attendez la fin du verrouillage (en corrigeant d\'abord le mot de passe enregistré sur les appareils) ou créez une demande d\'assistance auprès des équipes Exchange.', link: LINKS.securityFr },
    en: { title: 'Account locked by the security policy', text: 'The service\'s security policy temporarily locks an account after several failed logins, for the duration you chose. Wait for the lock to end (after fixing the password saved on your devices) or open a support request with the Exchange team.', link: LINKS.securityEn },
  },
  PROTOCOL_DISABLED: {
    fr: { title: 'Protocole désactivé pour le compte', text: 'Un protocole (IMAP, POP, ActiveSync…) est désactivé pour ce compte : les logiciels qui l\'utilisent ne peuvent pas se connecter. Réactivez-le dans la configuration du compte (onglet « Comptes e-mail » de votre service Exchange) si le compte doit l\'utiliser.', link: LINKS.manager },
    en: { title: 'Protocol disabled for the account', text: 'A protocol (IMAP, POP, ActiveSync…) is switched off for this account: mail clients that use it cannot connect. Switch it back on in the account settings ("Email accounts" tab of your Exchange service) if the account needs it.', link: LINKS.manager },
  },
  ACCOUNT_NOT_READY: {
    fr: { title: 'Compte en cours de création', text: 'Le fournisseur n\'a pas fini de créer (ou de réactiver) ce compte Exchange : tant que l\'opération n\'est pas terminée, la connexion, l\'envoi et la réception ne fonctionnent pas, et le diagnostic n\'a tenté aucune connexion. L\'opération prend en général quelques minutes : vérifiez l\'état du compte dans l\'onglet « Comptes e-mail » de l\'espace client, puis relancez le diagnostic. Si l\'état ne change pas après quelques heures, créez une demande d\'assistance.', link: LINKS.manager },
    en: { title: 'Account still being set up', text: 'The provider has not finished creating (or reopening) this Exchange account: until it has, signing in, sending and receiving do not work, and the diagnostic tried no login. This usually takes a few minutes: check the account\'s state in the "Email accounts" tab of the Control Panel, then run the diagnostic again. If the state has not changed after a few hours, open a support request.', link: LINKS.manager },
  },
  ACCOUNT_DELETING: {
    fr: { title: 'Compte en cours de suppression', text: 'Le fournisseur est en train de supprimer ce compte Exchange (à la demande d\'un administrateur ou à l\'expiration de l\'abonnement) : il ne reçoit plus de courrier et n\'accepte plus de connexion, et le diagnostic n\'a tenté aucune connexion. Si cette suppression n\'est pas voulue, contactez le support sans attendre ; sinon, utilisez une autre adresse.', link: LINKS.manager },
    en: { title: 'Account being deleted', text: 'The provider is deleting this Exchange account (at an administrator\'s request or because the subscription ended): it no longer receives mail or accepts logins, and the diagnostic tried no login. If the deletion is not intended, contact support at once; otherwise use another address.', link: LINKS.manager },
  },
  ACCOUNT_IN_MIGRATION: {
    fr: { title: 'Compte en cours de migration', text: 'Le fournisseur déplace actuellement cette boîte vers un autre serveur. Pendant la migration, l\'accès peut être interrompu par moments et le courrier arriver en retard : les échecs constatés pendant cette période ne demandent aucune action de votre part. Attendez la fin de la migration (l\'état du compte redevient normal dans l\'espace client), puis relancez le diagnostic.' },
    en: { title: 'Account being migrated', text: 'The provider is moving this mailbox to another server. While it does, access may drop from time to time and mail may arrive late: failures seen during the move need no action on your side. Wait for the migration to end (the account\'s state goes back to normal in the Control Panel), then run the diagnostic again.' },
  },
  ACCOUNT_TASK_PENDING: {
    fr: { title: 'Modification du compte en cours', text: 'Une opération sur ce compte (changement de mot de passe, de protocoles ou de réglages ; le détail est dans le résultat) est en attente ou en cours chez le fournisseur. Tant qu\'elle n\'est pas appliquée, l\'ancien réglage reste actif : un mot de passe qui vient d\'être changé peut par exemple être refusé pendant quelques minutes. Attendez la fin de l\'opération et relancez le diagnostic avant de modifier quoi que ce soit.' },
    en: { title: 'Account change in progress', text: 'A change on this account (password, protocols or settings; the details are in the result) is queued or running at the provider. Until it is applied, the old setting stays in force: a password that was just changed may, for example, be refused for a few minutes. Wait for the change to finish and run the diagnostic again before changing anything.' },
  },
  DOMAIN_NOT_REGISTERED: {
    fr: { title: 'Nom de domaine non enregistré', text: 'Le registre ne connaît pas ce nom de domaine : aucun e-mail ne peut être envoyé ni reçu avec cette adresse. Vérifiez l\'orthographe du domaine ou enregistrez-le auprès d\'un bureau d\'enregistrement.' },
    en: { title: 'Domain name not registered', text: 'The registry has no record of this domain: no mail can be sent or received with this address. Check the domain\'s spelling or register it with a registrar.' },
  },
  DOMAIN_EXPIRED: {
    fr: { title: 'Nom de domaine expiré ou suspendu', text: 'Le nom de domaine doit être valide pour envoyer ou recevoir des e-mails avec votre adresse Exchange. Il a expiré (ou il est suspendu par le registre) : renouvelez-le depuis votre espace client s\'il est enregistré chez OVHcloud, sinon auprès de votre prestataire.', link: LINKS.manager },
    en: { title: 'Domain name expired or on hold', text: 'The domain must be valid to send or receive mail with your Exchange address. It has expired (or the registry put it on hold): renew it from your Control Panel if it is registered with OVHcloud, otherwise with your registrar.', link: LINKS.manager },
  },
  DOMAIN_EXPIRING: {
    fr: { title: 'Nom de domaine bientôt expiré', text: 'Le nom de domaine expire bientôt ; à expiration, l\'adresse Exchange cessera de fonctionner. Renouvelez-le (ou activez le renouvellement automatique) chez votre bureau d\'enregistrement.' },
    en: { title: 'Domain name expires soon', text: 'The domain expires soon; once it does, the Exchange address stops working. Renew it (or turn on automatic renewal) with your registrar.' },
  },
  MX_MISSING: {
    fr: { title: 'Aucun enregistrement MX', text: `Le domaine n'a pas d'enregistrement MX : les e-mails ne peuvent pas être reçus. Ajoutez dans la zone DNS du domaine les serveurs MX de votre offre (avec antispam : mx0.mail.ovh.net à mx3.mail.ovh.net ; sans antispam : ${SERVER_FR}).` },
    en: { title: 'No MX record', text: `The domain has no MX record: mail cannot be received. Add your offer's MX servers to the domain's DNS zone (with antispam: mx0.mail.ovh.net to mx3.mail.ovh.net; without antispam: ${SERVER_EN}).` },
  },
  MX_INVALID: {
    fr: { title: 'Enregistrement MX non valide', text: 'Les MX du domaine ne pointent pas vers les serveurs de votre offre Exchange : les e-mails ne peuvent pas être reçus (et l\'e-mail de test n\'arrive pas). Corrigez les enregistrements MX dans la zone DNS du domaine avec les valeurs attendues indiquées dans le détail.' },
    en: { title: 'Invalid MX record', text: 'The domain\'s MX records do not point at your Exchange offer\'s servers: mail cannot be received (and the test message does not arrive). Fix the MX records in the domain\'s DNS zone with the expected values shown in the details.' },
  },
  SRV_MISSING: {
    fr: { title: 'Enregistrement SRV absent', text: `L'enregistrement SRV sert à la configuration automatique du compte dans Outlook. Ajoutez dans la zone DNS : sous-domaine _autodiscover._tcp, priorité 0, poids 0, port 443, cible ${SERVER_FR}.` },
    en: { title: 'SRV record missing', text: `The SRV record lets Outlook configure the account automatically. Add to the DNS zone: subdomain _autodiscover._tcp, priority 0, weight 0, port 443, target ${SERVER_EN}.` },
  },
  SRV_INVALID: {
    fr: { title: 'Enregistrement SRV non valide', text: `L'enregistrement SRV _autodiscover._tcp ne correspond pas aux valeurs attendues. Corrigez-le dans la zone DNS : priorité 0, poids 0, port 443, cible ${SERVER_FR}.` },
    en: { title: 'Invalid SRV record', text: `The _autodiscover._tcp SRV record does not match the expected values. Fix it in the DNS zone: priority 0, weight 0, port 443, target ${SERVER_EN}.` },
  },
  AUTODISCOVER_FAILED: {
    fr: { title: 'Configuration automatique (Autodiscover) en échec', text: 'Outlook ne peut pas obtenir automatiquement les paramètres du compte. Vérifiez l\'enregistrement SRV _autodiscover._tcp du domaine ; en attendant, le compte peut être configuré manuellement avec le nom du serveur Exchange.' },
    en: { title: 'Automatic configuration (Autodiscover) failed', text: 'Outlook cannot obtain the account settings automatically. Check the domain\'s _autodiscover._tcp SRV record; meanwhile the account can be set up manually with the Exchange server name.' },
  },
  AUTODISCOVER_UNTRUSTED_REDIRECT: {
    fr: { title: 'Autodiscover mène vers un serveur étranger au domaine', text: `La configuration automatique (Autodiscover) de votre domaine renvoie vers un serveur qui n'appartient ni à votre domaine ni à votre offre Exchange (adresse et raison dans le détail) : le diagnostic ne lui a pas envoyé le mot de passe, et Outlook demandera d'autoriser ce serveur ou le mot de passe à chaque démarrage. N'acceptez pas si vous ne connaissez pas ce serveur. Supprimez la redirection ou l'enregistrement DNS (autodiscover, SRV) qui y mène, et configurez l'enregistrement SRV _autodiscover._tcp : priorité 0, poids 0, port 443, cible ${SERVER_FR}.` },
    en: { title: 'Autodiscover leads to a server outside the domain', text: `Your domain's automatic configuration (Autodiscover) sends clients to a server that belongs neither to your domain nor to your Exchange offer (address and reason in the details): the diagnostic did not send it the password, and Outlook will ask to allow that server, or for the password, every time it starts. Do not accept if you do not know that server. Remove the redirect or the DNS record (autodiscover, SRV) that leads there, and set the _autodiscover._tcp SRV record: priority 0, weight 0, port 443, target ${SERVER_EN}.` },
  },
  AUTH_FAILED: {
    fr: { title: 'Authentification refusée', text: 'Le serveur a refusé le mot de passe. Vérifiez-le en vous connectant au webmail ; si nécessaire, modifiez-le dans l\'onglet « Comptes e-mail » de l\'espace client, mettez-le à jour sur chaque appareil où le compte est configuré, puis relancez le diagnostic. Si le problème persiste, créez une demande d\'assistance.', link: LINKS.webmail },
    en: { title: 'Authentication rejected', text: 'The server rejected the password. Check it by signing in to the webmail; if needed, change it in the "Email accounts" tab of the Control Panel, update it on every device where the account is set up, then run the diagnostic again. If the problem persists, open a support request.', link: LINKS.webmail },
  },
  BASIC_AUTH_DISABLED: {
    fr: { title: 'Authentification de base désactivée', text: 'Le serveur n\'accepte pas l\'authentification de base (il ne propose que NTLM/Negotiate) : le diagnostic ne peut pas vérifier le mot de passe sur le webmail sans l\'exposer. Connectez-vous au webmail avec un navigateur pour vérifier l\'accès ; les logiciels récents utilisent ces méthodes d\'authentification.' },
    en: { title: 'Basic authentication disabled', text: 'The server does not accept Basic authentication (it only offers NTLM/Negotiate), so the diagnostic cannot check the password on the webmail without exposing it. Sign in to the webmail with a browser to check access; recent mail clients use these authentication methods.' },
  },
  LEGACY_AUTH_BLOCKED: {
    fr: { title: 'Authentification de base bloquée pour ce protocole', text: 'La politique d\'authentification du service Exchange bloque l\'authentification de base (identifiant et mot de passe) pour ce protocole (protocole et règle dans le détail) : tout logiciel qui s\'y connecte avec un mot de passe est refusé, même si le mot de passe est bon. Le diagnostic n\'a donc pas envoyé le mot de passe sur ce protocole. Si un autre protocole a accepté le mot de passe, celui-ci est correct : ne le changez pas. Utilisez un logiciel qui prend en charge l\'authentification moderne (OAuth), ou, si ce blocage n\'est pas voulu, attachez au compte une politique d\'authentification qui autorise ce protocole (espace client, service Exchange).', link: LINKS.manager },
    en: { title: 'Basic authentication blocked for this protocol', text: 'The Exchange service\'s authentication policy blocks basic authentication (user name and password) for this protocol (protocol and rule in the details): any client that connects with a password is refused, even with the right password. So the diagnostic did not send the password over this protocol. If another protocol accepted the password, the password is right: do not change it. Use a client that supports modern authentication (OAuth), or, if the block is not intended, attach to the account an authentication policy that allows this protocol (Control Panel, Exchange service).', link: LINKS.manager },
  },
  IP_NOT_AUTHORIZED: {
    fr: { title: 'Accès limité à des adresses IP autorisées', text: 'Le service Exchange n\'accepte ce protocole que depuis certaines adresses IP (liste « IP autorisées » dans le détail), et le diagnostic ne s\'exécute pas depuis l\'une d\'elles : il n\'a donc pas pu tester ce protocole, et n\'y a pas envoyé le mot de passe. Cela concerne d\'abord l\'endroit d\'où le diagnostic s\'exécute. Vos propres appareils doivent eux aussi se connecter depuis une adresse de la liste (bureau, VPN) : un téléphone en 4G ou un ordinateur à domicile sera refusé. Ajoutez les adresses voulues dans l\'espace client (service Exchange, restriction d\'accès par IP), ou retirez la restriction si elle n\'est pas voulue.', link: LINKS.manager },
    en: { title: 'Access restricted to authorised IP addresses', text: 'The Exchange service accepts this protocol only from certain IP addresses (the "authorised IPs" list, in the details), and the diagnostic does not run from one of them: it could not test this protocol and did not send it the password. This is first about where the diagnostic runs from. Your own devices must also connect from an address on the list (office, VPN): a phone on mobile data or a computer at home will be refused. Add the addresses you need in the Control Panel (Exchange service, IP access restriction), or remove the restriction if it is not intended.', link: LINKS.manager },
  },
  PASSWORD_EXPIRED: {
    fr: { title: 'Mot de passe expiré', text: 'Le serveur indique que le mot de passe du compte a expiré (la politique de sécurité impose de le changer régulièrement) : les logiciels de messagerie sont refusés jusqu\'à ce qu\'il soit changé. Connectez-vous au webmail, qui propose de le changer, ou changez-le dans l\'onglet « Comptes e-mail » de l\'espace client, puis mettez-le à jour sur chaque appareil.', link: LINKS.webmail },
    en: { title: 'Password expired', text: 'The server says the account\'s password has expired (the security policy requires changing it regularly): mail clients are refused until it is changed. Sign in to the webmail, which offers to change it, or change it in the "Email accounts" tab of the Control Panel, then update it on every device.', link: LINKS.webmail },
  },
  LOGIN_DISABLED: {
    fr: { title: 'Connexion désactivée pour ce compte', text: 'Le serveur indique que ce compte ne peut pas se connecter et qu\'il faut contacter l\'administrateur (réponse du serveur dans le détail) : changer le mot de passe n\'y changera rien. Vérifiez dans l\'espace client que le compte est actif et que ses protocoles sont autorisés ; sinon, créez une demande d\'assistance en joignant ce rapport.', link: LINKS.manager },
    en: { title: 'Login disabled for this account', text: 'The server says this account may not log in and that the administrator must be contacted (the server\'s reply is in the details): changing the password will not help. Check in the Control Panel that the account is active and its protocols are allowed; otherwise open a support request with this report attached.', link: LINKS.manager },
  },
  AUTH_UNAVAILABLE: {
    fr: { title: 'Vérification du mot de passe momentanément impossible', text: 'Le serveur a répondu qu\'il ne pouvait pas vérifier le mot de passe pour le moment (panne temporaire de son côté) : le mot de passe n\'a été ni accepté ni refusé. Relancez le diagnostic dans quelques minutes ; si la réponse persiste, consultez la page d\'état et créez une demande d\'assistance.', link: STATUS_PAGE },
    en: { title: 'Password check temporarily unavailable', text: 'The server answered that it could not check the password for now (a temporary failure on its side): the password was neither accepted nor refused. Run the diagnostic again in a few minutes; if the answer persists, see the status page and open a support request.', link: STATUS_PAGE },
  },
  WEBMAIL_UNREACHABLE: {
    fr: { title: 'Webmail injoignable', text: 'Le webmail (connexion directe à votre serveur) ne répond pas : si la connexion au webmail ne fonctionne pas, votre logiciel de messagerie ne peut pas fonctionner non plus. Vérifiez les travaux et incidents en cours sur la page d\'état, puis réessayez.', link: STATUS_PAGE },
    en: { title: 'Webmail unreachable', text: 'The webmail (a direct connection to your server) does not answer: if the webmail does not work, your mail client cannot work either. Check ongoing maintenance and incidents on the status page, then try again.', link: STATUS_PAGE },
  },
  IMAP_UNREACHABLE: {
    fr: { title: 'Serveur IMAP injoignable', text: 'Le serveur IMAP du compte ne répond pas : les logiciels de messagerie ne peuvent pas relever le courrier. Vérifiez le nom du serveur et le port (993, SSL/TLS) dans le logiciel, et consultez la page d\'état en cas d\'incident.', link: STATUS_PAGE },
    en: { title: 'IMAP server unreachable', text: 'The account\'s IMAP server does not answer: mail clients cannot fetch mail. Check the server name and port (993, SSL/TLS) in the client, and see the status page for incidents.', link: STATUS_PAGE },
  },
  TLS_INVALID: {
    fr: { title: 'Certificat du serveur non valide', text: 'Le certificat présenté par le serveur est expiré, auto-signé ou ne correspond pas à son nom : les logiciels refusent (à juste titre) de s\'y connecter, et le diagnostic n\'y a envoyé aucun mot de passe. Utilisez le nom de serveur exact de votre service (celui du certificat) ; pour un serveur privé, renouvelez son certificat SSL.' },
    en: { title: 'Server certificate not valid', text: 'The server\'s certificate is expired, self-signed or does not match its name: mail clients (rightly) refuse to connect, and the diagnostic sent no password to it. Use your service\'s exact server name (the certificate\'s name); for a private server, renew its SSL certificate.' },
  },
  TLS_EXPIRING: {
    fr: { title: 'Certificat du serveur bientôt expiré', text: 'Le certificat SSL du serveur est encore valide, mais il expire dans quelques jours (date et serveur dans le détail) : à cette date, tous les logiciels de messagerie et le webmail refuseront de s\'y connecter en même temps. Sur une offre hébergée, le fournisseur renouvelle le certificat de ses serveurs : signalez-le au support si la date approche. Pour un serveur privé, renouvelez son certificat SSL avant cette date.' },
    en: { title: 'Server certificate expires soon', text: 'The server\'s SSL certificate is still valid but expires within days (date and server in the details): on that date every mail client and the webmail will refuse to connect at once. On a hosted offer the provider renews its servers\' certificates: tell support if the date is close. For a private server, renew its SSL certificate before that date.' },
  },
  SEND_REJECTED: {
    fr: { title: 'L\'e-mail de test n\'a pas pu être envoyé', text: 'Le serveur d\'envoi a refusé le message (sa réponse est dans le détail). Causes possibles : compte suspendu, mot de passe incorrect, compte bloqué pour spam, ou incident sur l\'infrastructure.', link: STATUS_PAGE },
    en: { title: 'The test message could not be sent', text: 'The submission server refused the message (its reply is in the details). Possible causes: suspended account, wrong password, account blocked for spam, or an infrastructure incident.', link: STATUS_PAGE },
  },
  SMTP_UNREACHABLE: {
    fr: { title: 'Serveur d\'envoi (SMTP) injoignable', text: 'Le serveur SMTP du compte ne répond pas : l\'envoi depuis un logiciel de messagerie est impossible. Vérifiez le serveur et le port (587, STARTTLS) et consultez la page d\'état en cas d\'incident.', link: STATUS_PAGE },
    en: { title: 'Sending (SMTP) server unreachable', text: 'The account\'s SMTP server does not answer: sending from a mail client is impossible. Check the server and port (587, STARTTLS) and see the status page for incidents.', link: STATUS_PAGE },
  },
  MX_REJECTED: {
    fr: { title: 'Le serveur MX refuse le courrier', text: 'Le serveur MX du domaine a refusé le message de test (sa réponse est dans le détail) : les expéditeurs extérieurs reçoivent une erreur. Vérifiez que l\'adresse existe et que les MX pointent vers les serveurs de votre offre.' },
    en: { title: 'The MX server refuses mail', text: 'The domain\'s MX server refused the test message (its reply is in the details): outside senders get an error. Check that the address exists and that the MX records point at your offer\'s servers.' },
  },
  MAIL_NOT_RECEIVED: {
    fr: { title: 'L\'e-mail de test n\'a pas été reçu', text: 'Le message de test remis au MX du domaine n\'est pas arrivé dans la boîte. Vérifiez le pointage MX du domaine (zone DNS) et les règles de filtrage ou de transfert du compte.' },
    en: { title: 'The test message was not received', text: 'The test message delivered to the domain\'s MX never reached the mailbox. Check the domain\'s MX records (DNS zone) and the account\'s filtering or forwarding rules.' },
  },
  MAIL_IN_JUNK: {
    fr: { title: 'Courrier classé en indésirables', text: 'Le message de test est arrivé dans le dossier « Courrier indésirable ». Vérifiez les règles de filtrage du compte et la liste des expéditeurs bloqués.' },
    en: { title: 'Mail filed as junk', text: 'The test message arrived in the Junk folder. Check the account\'s filtering rules and blocked-senders list.' },
  },
  MAIL_DELAYED: {
    fr: { title: 'Courrier retardé', text: 'Le message de test est arrivé, mais avec retard (par exemple à cause d\'un greylisting ou d\'une file d\'attente). Si cela se répète, vérifiez la page d\'état et les MX du domaine.', link: STATUS_PAGE },
    en: { title: 'Mail delayed', text: 'The test message arrived, but late (for example because of greylisting or a queue). If this keeps happening, check the status page and the domain\'s MX records.', link: STATUS_PAGE },
  },
  INCIDENT_OPEN: {
    fr: { title: 'Incident en cours sur l\'infrastructure', text: 'Un incident ou des travaux sont en cours sur la plateforme e-mail : ils peuvent expliquer les erreurs constatées. Suivez son évolution sur la page d\'état et relancez le diagnostic une fois l\'incident résolu.', link: STATUS_PAGE },
    en: { title: 'Open incident on the infrastructure', text: 'An incident or maintenance is under way on the mail platform and may explain the errors seen. Follow it on the status page and run the diagnostic again once it is resolved.', link: STATUS_PAGE },
  },
  SPF_MISSING: {
    fr: { title: 'Aucun enregistrement SPF', text: 'Le domaine ne publie pas d\'enregistrement SPF : les serveurs destinataires ne peuvent pas vérifier que vos e-mails viennent de serveurs autorisés, et les classent plus souvent en courrier indésirable. Ajoutez dans la zone DNS du domaine un enregistrement TXT (ou SPF) unique, par exemple « v=spf1 include:mx.ovh.com ~all » pour les offres e-mail OVHcloud, complété des autres services qui envoient pour votre domaine.' },
    en: { title: 'No SPF record', text: 'The domain publishes no SPF record: receiving servers cannot check that your mail comes from authorised servers, and file it as junk more often. Add a single TXT (or SPF) record to the domain\'s DNS zone, for example "v=spf1 include:mx.ovh.com ~all" for OVHcloud e-mail offers, plus any other service that sends mail for your domain.' },
  },
  SPF_INVALID: {
    fr: { title: 'Enregistrement SPF incorrect', text: 'L\'enregistrement SPF du domaine n\'autorise pas les serveurs de votre offre, ou les serveurs destinataires ne peuvent pas l\'évaluer (plusieurs enregistrements SPF, erreur de syntaxe, plus de 10 recherches DNS, ou « +all » qui autorise n\'importe qui) : vos e-mails risquent d\'être refusés ou classés en indésirables. La raison exacte est dans le détail. Gardez un seul enregistrement « v=spf1 … » qui inclut les serveurs de la plateforme (include:mx.ovh.com pour OVHcloud) et se termine par « ~all » ou « -all ».' },
    en: { title: 'Invalid SPF record', text: 'The domain\'s SPF record does not authorise your offer\'s servers, or receiving servers cannot evaluate it (several SPF records, a syntax error, more than 10 DNS lookups, or "+all", which lets anyone send): your mail may be refused or filed as junk. The exact reason is in the details. Keep a single "v=spf1 …" record that includes the platform\'s servers (include:mx.ovh.com for OVHcloud) and ends with "~all" or "-all".' },
  },
  DMARC_MISSING: {
    fr: { title: 'Aucun enregistrement DMARC', text: 'Le domaine ne publie pas de politique DMARC (enregistrement TXT sur _dmarc.<domaine>) : les grandes messageries classent plus volontiers ses e-mails en indésirables, et n\'importe qui peut usurper l\'adresse. Ajoutez dans la zone DNS un enregistrement TXT sur le sous-domaine _dmarc, par exemple « v=DMARC1; p=none; rua=mailto:<adresse de rapports> », puis durcissez la politique (quarantine, reject) une fois les rapports vérifiés.' },
    en: { title: 'No DMARC record', text: 'The domain publishes no DMARC policy (TXT record at _dmarc.<domain>): large mailbox providers are more likely to file its mail as junk, and anyone can spoof the address. Add a TXT record on the _dmarc subdomain in the DNS zone, for example "v=DMARC1; p=none; rua=mailto:<reports address>", then tighten the policy (quarantine, reject) once the reports look right.' },
  },
  DMARC_INVALID: {
    fr: { title: 'Enregistrement DMARC incorrect', text: 'L\'enregistrement DMARC du domaine est ignoré ou mal compris par les serveurs destinataires (plusieurs enregistrements, politique « p= » absente ou différente de none, quarantine ou reject, ou autre balise invalide, détaillée dans le résultat). Corrigez-le dans la zone DNS : un seul enregistrement TXT sur _dmarc qui commence par « v=DMARC1; p=… ».' },
    en: { title: 'Invalid DMARC record', text: 'Receiving servers ignore or misread the domain\'s DMARC record (several records, a "p=" policy that is missing or not none, quarantine or reject, or another invalid tag, named in the result). Fix it in the DNS zone: a single TXT record at _dmarc that starts with "v=DMARC1; p=…".' },
  },
  MX_TLS_INVALID: {
    fr: { title: 'Certificat d\'un serveur MX non valide', text: 'Un serveur MX du domaine propose le chiffrement (STARTTLS), mais son certificat est expiré, auto-signé ou ne correspond pas à son nom, ou il n\'accepte qu\'une version de TLS obsolète (serveur et raison dans le détail). La plupart des expéditeurs remettent quand même le courrier, mais ceux qui exigent un chiffrement vérifié (MTA-STS, DANE) le refusent. Sur une offre hébergée, signalez-le au support ; pour votre propre passerelle ou serveur MX, installez un certificat valide pour le nom du MX.' },
    en: { title: 'An MX server\'s certificate is not valid', text: 'A server of the domain\'s MX offers encryption (STARTTLS), but its certificate is expired, self-signed or does not match its name, or it only accepts an outdated TLS version (server and reason in the details). Most senders still deliver, but those that require verified encryption (MTA-STS, DANE) refuse. On a hosted offer, tell support; for your own MX gateway or server, install a certificate valid for the MX name.' },
  },
  MX_STARTTLS_MISSING: {
    fr: { title: 'Un serveur MX ne propose pas le chiffrement', text: 'Un serveur MX du domaine n\'annonce pas STARTTLS : les e-mails qu\'on vous envoie lui parviennent en clair, et les expéditeurs qui exigent le chiffrement (MTA-STS, DANE) ne peuvent pas vous écrire. Activez STARTTLS avec un certificat valide sur ce serveur, ou faites pointer les MX vers les serveurs de votre offre.' },
    en: { title: 'An MX server offers no encryption', text: 'A server of the domain\'s MX does not announce STARTTLS: mail sent to you reaches it in clear text, and senders that require encryption (MTA-STS, DANE) cannot write to you. Turn on STARTTLS with a valid certificate on that server, or point the MX records at your offer\'s servers.' },
  },
  MTA_STS_INVALID: {
    fr: { title: 'Politique MTA-STS inutilisable', text: 'Le domaine publie MTA-STS (enregistrement TXT _mta-sts), mais les expéditeurs ne peuvent pas s\'en servir correctement : politique introuvable ou servie sans certificat valide à https://mta-sts.<domaine>/.well-known/mta-sts.txt, erreur de syntaxe, ou serveur MX absent des lignes « mx: » (détail dans le résultat). Corrigez le fichier de politique (version: STSv1, mode, une ligne mx: par serveur MX, max_age) et changez l\'« id » de l\'enregistrement _mta-sts à chaque modification.' },
    en: { title: 'MTA-STS policy cannot be used', text: 'The domain publishes MTA-STS (the _mta-sts TXT record) but senders cannot use it properly: the policy is missing or served without a valid certificate at https://mta-sts.<domain>/.well-known/mta-sts.txt, has a syntax error, or does not list an MX server in its "mx:" lines (details in the result). Fix the policy file (version: STSv1, mode, one mx: line per MX server, max_age) and change the "id" of the _mta-sts record on every change.' },
  },
  MTA_STS_BLOCKS_MAIL: {
    fr: { title: 'MTA-STS empêche la réception du courrier', text: 'La politique MTA-STS du domaine est en mode « enforce », mais aucun serveur MX ne la respecte (certificat non valide, STARTTLS absent, ou MX non listé dans la politique ; détail dans le résultat) : les expéditeurs qui appliquent MTA-STS (Gmail, Outlook.com…) refusent de vous remettre leurs e-mails, même si d\'autres arrivent. Corrigez le certificat ou les lignes « mx: » de la politique ; en attendant, passez la politique en mode « testing » et changez l\'« id » de l\'enregistrement _mta-sts pour que ces expéditeurs la relisent.' },
    en: { title: 'MTA-STS stops incoming mail', text: 'The domain\'s MTA-STS policy is in "enforce" mode but no MX server passes it (invalid certificate, no STARTTLS, or an MX not listed in the policy; details in the result): senders that apply MTA-STS (Gmail, Outlook.com…) refuse to deliver your mail, even though other mail arrives. Fix the certificate or the policy\'s "mx:" lines; meanwhile, switch the policy to "testing" mode and change the "id" of the _mta-sts record so that these senders fetch it again.' },
  },
  TLSRPT_INVALID: {
    fr: { title: 'Enregistrement TLS-RPT incorrect', text: 'Le domaine publie un enregistrement TLS-RPT (_smtp._tls) que les expéditeurs ne peuvent pas utiliser (plusieurs enregistrements, « rua= » absent, ou adresse qui n\'est ni mailto: ni https:) : vous ne recevez pas leurs rapports sur les échecs de chiffrement vers vos MX. Gardez un seul enregistrement TXT « v=TLSRPTv1; rua=mailto:<adresse> ».' },
    en: { title: 'Invalid TLS-RPT record', text: 'The domain publishes a TLS-RPT record (_smtp._tls) that senders cannot use (several records, no "rua=", or an address that is neither mailto: nor https:): you get no reports of encryption failures on the way to your MX. Keep a single TXT record "v=TLSRPTv1; rua=mailto:<address>".' },
  },
  DKIM_NOT_PUBLISHED: {
    fr: { title: 'Clé DKIM absente du DNS', text: 'La plateforme signe vos e-mails avec DKIM, mais la clé publique du sélecteur utilisé n\'est pas publiée dans la zone DNS du domaine (<sélecteur>._domainkey.<domaine>, dans le détail) : les destinataires ne peuvent pas vérifier la signature, vos e-mails sont traités comme non signés et finissent plus souvent en indésirables. Ajoutez dans la zone DNS l\'enregistrement DKIM indiqué par la plateforme (espace client : votre service e-mail, onglet des domaines associés, DKIM).' },
    en: { title: 'DKIM key missing from DNS', text: 'The platform signs your mail with DKIM, but the public key of the selector it uses is not published in the domain\'s DNS zone (<selector>._domainkey.<domain>, in the details): recipients cannot verify the signature, so your mail counts as unsigned and lands in junk more often. Add the DKIM record the platform gives to the DNS zone (Control Panel: your e-mail service, associated domains tab, DKIM).', link: LINKS.dkimEn },
  },
  DKIM_INVALID: {
    fr: { title: 'DKIM mal configuré', text: 'Un enregistrement DKIM du domaine est inutilisable (clé absente, révoquée ou mal encodée, type de clé inconnu, clé RSA de moins de 1024 bits), ou le fournisseur signale une erreur dans la configuration DKIM du domaine (détail dans le résultat) : les signatures de vos e-mails échouent chez les destinataires, qui les traitent comme non signés. Republiez exactement la clé fournie par la plateforme dans la zone DNS, ou créez un nouveau sélecteur.' },
    en: { title: 'DKIM misconfigured', text: 'A DKIM record of the domain cannot be used (key missing, revoked or badly encoded, unknown key type, RSA key under 1024 bits), or the provider reports an error in the domain\'s DKIM setup (details in the result): your mail\'s signatures fail at recipients, who treat it as unsigned. Publish exactly the key the platform gives in the DNS zone, or create a new selector.', link: LINKS.dkimEn },
  },
  DKIM_WEAK_KEY: {
    fr: { title: 'Clé DKIM trop courte', text: 'La clé RSA DKIM publiée fait moins de 2048 bits : elle fonctionne encore, mais elle est jugée faible (RFC 8301) et pourrait être cassée, ce qui permettrait de signer des e-mails à votre nom. Créez un nouveau sélecteur avec une clé de 2048 bits, publiez-le, faites signer la plateforme avec lui, puis retirez l\'ancien.' },
    en: { title: 'DKIM key too short', text: 'The published DKIM RSA key has fewer than 2048 bits: it still works, but it is considered weak (RFC 8301) and could be broken, which would let others sign mail in your name. Create a new selector with a 2048-bit key, publish it, have the platform sign with it, then remove the old one.', link: LINKS.dkimEn },
  },
  DKIM_NOT_ENABLED: {
    fr: { title: 'DKIM publié mais pas activé', text: 'La clé DKIM de la plateforme est publiée dans la zone DNS du domaine, mais le fournisseur ne signe pas vos e-mails (DKIM désactivé ou pas encore configuré pour le domaine) : vos e-mails partent sans signature, et les grandes messageries les classent plus souvent en indésirables. Activez DKIM pour le domaine dans l\'espace client (votre service e-mail, onglet des domaines associés) ou via l\'API.' },
    en: { title: 'DKIM published but not enabled', text: 'The platform\'s DKIM key is published in the domain\'s DNS zone, but the provider does not sign your mail (DKIM disabled or not yet set up for the domain): your mail leaves unsigned, and large mailbox providers file it as junk more often. Enable DKIM for the domain in the Control Panel (your e-mail service, associated domains tab) or through the API.', link: LINKS.dkimEn },
  },
  SENT_MAIL_AUTH_FAILED: {
    fr: { title: 'Vos e-mails échouent à l\'authentification', text: 'Le message de test envoyé depuis le compte a été jugé par la plateforme (en-tête Authentication-Results, détail dans le résultat) : SPF, DKIM ou DMARC échoue. Les destinataires classent ce courrier en indésirables ou le refusent, selon la politique DMARC du domaine. Corrigez la cause indiquée dans les autres vérifications : l\'enregistrement SPF doit autoriser les serveurs de la plateforme, et DKIM doit être activé avec sa clé publiée dans la zone DNS.' },
    en: { title: 'Your mail fails authentication', text: 'The test message sent from the account was judged by the platform (Authentication-Results header, details in the result): SPF, DKIM or DMARC fails. Recipients file such mail as junk or refuse it, depending on the domain\'s DMARC policy. Fix the cause the other checks name: the SPF record must authorise the platform\'s servers, and DKIM must be enabled with its key published in the DNS zone.' },
  },
  OUTBOUND_IP_LISTED: {
    fr: { title: 'Serveur d\'envoi sur une liste de blocage', text: 'Une adresse IP d\'où la plateforme envoie vos e-mails figure sur une liste de blocage DNS publique (liste et motif dans le détail) : des destinataires refusent vos e-mails ou les classent en indésirables, même si votre compte et votre domaine sont bien configurés. Cela ne se corrige pas depuis votre compte : signalez-le au support de la plateforme en joignant ce rapport, pour qu\'il fasse retirer l\'adresse.' },
    en: { title: 'Sending server on a blocklist', text: 'An IP address the platform sends your mail from is on a public DNS blocklist (list and reason in the details): some recipients refuse your mail or file it as junk, even though your account and domain are set up correctly. This cannot be fixed from your account: tell the platform\'s support, with this report attached, so they get the address delisted.' },
  },
  OUTBOUND_RDNS_INVALID: {
    fr: { title: 'Nom inverse du serveur d\'envoi incorrect', text: 'Une adresse IP d\'où la plateforme envoie vos e-mails n\'a pas de nom inverse (PTR), ou ce nom ne renvoie pas vers la même adresse (résolution inverse non confirmée) : de nombreux destinataires refusent ou classent en indésirables le courrier de tels serveurs. Seul l\'opérateur de la plateforme peut le corriger : signalez-le au support en joignant ce rapport.' },
    en: { title: 'Sending server\'s reverse DNS is wrong', text: 'An IP address the platform sends your mail from has no reverse name (PTR), or that name does not resolve back to the same address (forward-confirmed reverse DNS fails): many recipients refuse mail from such servers or file it as junk. Only the platform\'s operator can fix it: tell support, with this report attached.' },
  },
  CHECK_TIMEOUT: {
    fr: { title: 'Vérification trop longue', text: 'Cette vérification n\'a pas abouti dans le temps imparti ; le résultat ne permet pas de conclure. Relancez le diagnostic ; si cela persiste, créez une demande d\'assistance en joignant ce rapport.' },
    en: { title: 'Check took too long', text: 'This check did not finish in time, so no conclusion can be drawn. Run the diagnostic again; if it persists, open a support request with this report attached.' },
  },
  CHECK_ERROR: {
    fr: { title: 'Erreur interne du diagnostic', text: 'La vérification a rencontré une erreur de notre côté ; elle ne dit rien de votre compte. Relancez le diagnostic ; si cela persiste, créez une demande d\'assistance en joignant ce rapport.' },
    en: { title: 'Internal diagnostic error', text: 'The check hit an error on our side; it says nothing about your account. Run the diagnostic again; if it persists, open a support request with this report attached.' },
  },
  DNS_ERROR: {
    fr: { title: 'Résolution DNS impossible', text: 'Les serveurs DNS n\'ont pas répondu à temps : les enregistrements du domaine n\'ont pas pu être vérifiés. Relancez le diagnostic ; si cela persiste, vérifiez que les serveurs DNS du domaine répondent.' },
    en: { title: 'DNS lookup failed', text: 'The DNS servers did not answer in time, so the domain\'s records could not be checked. Run the diagnostic again; if it persists, check that the domain\'s DNS servers answer.' },
  },
  PROVIDER_ERROR: {
    fr: { title: 'État du compte indisponible', text: 'L\'API du fournisseur n\'a pas pu donner l\'état du compte (suspension, blocage, expiration) ; les autres vérifications restent valables. Relancez le diagnostic plus tard.' },
    en: { title: 'Account state unavailable', text: 'The provider\'s API could not tell the account state (suspension, block, expiry); the other checks still stand. Run the diagnostic again later.' },
  },
  RDAP_ERROR: {
    fr: { title: 'Validité du domaine non vérifiable', text: 'Le service d\'enregistrement (RDAP) n\'a pas pu être interrogé. Vérifiez la date d\'expiration du domaine dans votre espace client s\'il est enregistré chez OVHcloud, sinon auprès de votre prestataire.', link: LINKS.manager },
    en: { title: 'Domain validity could not be checked', text: 'The registration service (RDAP) could not be queried. Check the domain\'s expiry date in your Control Panel if it is registered with OVHcloud, otherwise with your registrar.', link: LINKS.manager },
  },
  STATUS_PAGE_ERROR: {
    fr: { title: 'Page d\'état indisponible', text: 'La page d\'état des services n\'a pas pu être consultée ; vérifiez-la directement pour savoir si un incident est en cours.', link: STATUS_PAGE },
    en: { title: 'Status page unavailable', text: 'The service status page could not be read; check it directly to see whether an incident is open.', link: STATUS_PAGE },
  },
  DEADLINE_EXCEEDED: {
    fr: { title: 'Délai du diagnostic dépassé', text: 'Le diagnostic a atteint sa durée maximale avant la fin de cette vérification ; le résultat ne permet pas de conclure. Relancez le diagnostic.' },
    en: { title: 'Diagnostic deadline reached', text: 'The diagnostic reached its time limit before this check finished, so no conclusion can be drawn. Run the diagnostic again.' },
  },
};

export function remediationFor(code: Code, locale: Locale): Remediation {
  return CATALOGUE[code][locale];
}

/**
 * The locale to answer in: an explicit request wins, then the best Accept-Language match
 * (RFC 9110 q-values), then English.
 */
export function negotiateLocale(requested?: string, acceptLanguage?: string): Locale {
  const pick = (tag: string): Locale | undefined => {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    return primary === 'fr' || primary === 'en' ? primary : undefined;
  };
  if (requested) {
    const r = pick(requested);
    if (r) return r;
  }
  if (acceptLanguage) {
    const ranked = acceptLanguage.split(',').map((part, i) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    }).filter((x) => x.tag && x.q > 0 && Number.isFinite(x.q)).sort((a, b) => b.q - a.q || a.i - b.i);
    for (const { tag } of ranked) {
      const l = pick(tag);
      if (l) return l;
    }
  }
  return 'en';
}
