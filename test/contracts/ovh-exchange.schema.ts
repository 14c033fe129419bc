// JSON Schemas (2020-12) of the OVHcloud API v1 `/email/exchange` answers the adapter reads and the
// lab stand-in serves, written from the published model (shared/reference/ovh-exchange-api.md,
// itself from can-er/ovh-api-v1-docs specs/email_exchange.json): every field of each object is
// required (the API sends `null`, it does not omit), nothing else is allowed, enums are exact.
// A stand-in that renames, drops, adds or mistypes a field fails test/integration/provider-contracts.test.ts.

type Schema = Record<string, unknown>;

const long: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const str: Schema = { type: 'string' };
const datetime: Schema = { type: 'string', format: 'date-time' };
const date: Schema = { type: 'string', format: 'date' };
/** ipv4Block: an IPv4 network in CIDR notation. */
const ipv4Block: Schema = { type: 'string', pattern: '^(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)/(?:3[0-2]|[12]?\\d)$' };
const enumOf = (values: readonly string[]): Schema => ({ enum: [...values] });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
/** `canBeNull: true` in the published model. */
const nullable = (s: Schema): Schema => (s.enum ? { enum: [...(s.enum as unknown[]), null] } : { ...s, type: [s.type, 'null'] });
/** An object whose listed properties are all required, and nothing else allowed. */
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});

export const ENUMS = {
  /** email.exchange.ObjectStateEnum (account, domain). */
  objectState: ['creating', 'deleting', 'internalMigration', 'ok', 'reopening', 'suspended', 'suspending'],
  /** email.exchange.ServiceStateEnum. */
  serviceState: ['inMaintenance', 'ok', 'suspended'],
  serviceOffer: ['dedicated', 'dedicatedCluster', 'hosted', 'provider'],
  licence: ['basic', 'enterprise', 'standard'],
  renewPeriod: ['monthly', 'yearly'],
  mailingFilter: ['vaderetro'],
  domainType: ['authoritative', 'nonAuthoritative'],
  dkimState: ['active', 'disabled', 'error', 'inProgress', 'toConfigure'],
  taskStatus: ['cancelled', 'doing', 'done', 'error', 'todo'],
  authorizedIpStatus: ['creating', 'deleting', 'ok'],
  iamState: ['EXPIRED', 'IN_CREATION', 'OK', 'SUSPENDED'],
  /** email.exchange.TaskFunctionEnum (116 values). */
  taskFunction: (
    'activateSharepoint addAccount addAccountArchive addAccountImpersonation addActiveSyncMailNotification addAlias '
    + 'addDistributionGroup addDistributionGroupManager addDistributionGroupMember addDistributionGroupSendAs '
    + 'addDistributionGroupSendOnBehalfTo addDomain addDomainDisclaimer addExchangeCustomIsolation addExchangeDomainDKIM '
    + 'addExchangeServiceAuthorizedIp addExportPstRequest addExternalContact addFullAccess addOutlookLicense addPublicFolder '
    + 'addPublicFolderPermission addResourceAccount addResourceDelegate addSendAs addSendConnector addSendOnBehalfTo '
    + 'addSharedAccount addSharedAccountFullAccess addSharedAccountSendAs addSharedAccountSendOnBehalfTo changeHostname '
    + 'changePassword clearDataOnDevice cloneTemplateExchangePrivate configureExchangeCustomer configureExchangeOwaMfa '
    + 'deleteAccount deleteAccountArchive deleteAccountImpersonation deleteActiveSyncMailNotification deleteAlias '
    + 'deleteDistributionGroup deleteDistributionGroupManager deleteDistributionGroupMember deleteDistributionGroupSendAs '
    + 'deleteDistributionGroupSendOnBehalfTo deleteDomain deleteDomainDisclaimer deleteExchangeCustomIsolation '
    + 'deleteExchangeDomainDKIM deleteExchangeService deleteExchangeServiceAuthorizedIp deleteExportPstRequest '
    + 'deleteExternalContact deleteFullAccess deleteOutlookLicense deletePublicFolder deletePublicFolderPermission '
    + 'deleteResourceAccount deleteResourceDelegate deleteSendAs deleteSendConnector deleteSendOnBehalfTo deleteSharedAccount '
    + 'deleteSharedAccountFullAccess deleteSharedAccountSendAs deleteSharedAccountSendOnBehalfTo destroyPrivateVm '
    + 'diagnoseAccount disableExchangeDKIM enableExchangeDKIM expandDrive generateOutlookUrl generatePstUrl installExchange '
    + 'installSSL maintenance migrationAccount migrationDisclaimer migrationExternalContact migrationHistory '
    + 'migrationMailingList migrationResourceAccount migrationService reOpenHostedAccount reOpenOutlookLicense '
    + 'reOpenPrivateAccount reOpenPrivateVm setAccount setAccountArchive setAlias setDistributionGroup setDns setDomain '
    + 'setDomainDisclaimer setExchangeAccountProtocol setExchangeServiceDevice setExternalContact setPublicFolder '
    + 'setPublicFolderPermission setResourceAccount setSendConnector setService setSharedAccount suspendAccount '
    + 'suspendExchangeService suspendHostedAccount suspendOutlookLicense suspendPrivateAccount suspendPrivateVm '
    + 'unsuspendAccount unsuspendExchangeService unsuspendHostedAccount updateExchangeServiceDevice upgrade2016'
  ).split(' '),
  /** email.exchange.CountryCodeEnum (ISO alpha-2 as OVHcloud lists them: GB, not UK). */
  countryCode: (
    'AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC '
    + 'CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DG DJ DK DM DO DZ EA EC EE EG EH ER ES ET FI FJ FK FM FO FR GA '
    + 'GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE '
    + 'KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU '
    + 'MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA '
    + 'SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG '
    + 'UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
  ).split(' '),
} as const;

const spamAndVirusConfiguration = object({
  checkDKIM: bool, checkSPF: bool, deleteSpam: bool, deleteVirus: bool, putInJunk: bool, tagSpam: bool, tagVirus: bool,
});

/** email.exchange.Account (58 fields). */
const account = object({
  SAMAccountName: nullable(str), accountLicense: enumOf(ENUMS.licence), authenticationPolicyId: nullable(long),
  city: nullable(str), company: nullable(str), configured: bool, countryCode: nullable(enumOf(ENUMS.countryCode)),
  creationDate: nullable(datetime), currentUsage: nullable(long), customIsolationId: nullable(long),
  deleteAtExpiration: nullable(bool), deleteOutlookAtExpiration: nullable(bool), description: nullable(str),
  displayName: nullable(str), domain: str, exchangeGuid: nullable(str), expirationDate: nullable(datetime),
  expirationOutlookDate: nullable(datetime), fax: nullable(str), firstName: nullable(str), forwardingEmail: nullable(str),
  guid: nullable(str), hiddenFromGAL: bool, id: long, initial: nullable(str), jobDepartment: nullable(str),
  jobTitle: nullable(str), lastLogoffDate: nullable(datetime), lastLogonDate: nullable(datetime), lastName: nullable(str),
  lastUpdateDate: nullable(datetime), litigation: bool, litigationPeriod: nullable(long), login: str,
  mailSenderDisplay: nullable(str), mailingFilter: nullable(arrayOf(enumOf(ENUMS.mailingFilter))), mobile: nullable(str),
  numberOfAliases: long, office: nullable(str), outlookLicense: bool, owaLimited: bool, passwordLastUpdate: nullable(datetime),
  phone: nullable(str), postalCode: nullable(str), primaryEmailAddress: str, quota: long, region: nullable(str),
  renewOutlookPeriod: nullable(enumOf(ENUMS.renewPeriod)), renewPeriod: nullable(enumOf(ENUMS.renewPeriod)),
  sbrDestination: nullable(str), sendConnectorId: nullable(long), spamAndVirusConfiguration, spamDetected: bool,
  spamTicketNumber: nullable(long), state: enumOf(ENUMS.objectState), storeCopyOfEmail: bool, streetAddress: nullable(str),
  taskPendingId: nullable(long),
});

const iam = object({
  displayName: nullable(str), id: { type: 'string', format: 'uuid' }, state: nullable(enumOf(ENUMS.iamState)),
  tags: nullable({ type: 'object', additionalProperties: str }), urn: str,
}, ['displayName', 'state', 'tags']);

/** email.exchange.ExchangeServiceWithIAM (the GET answer: ExchangeService and `iam`). */
const service = object({
  adfsChangePassword: bool, cnameDcvRecord: nullable(str), complexityEnabled: bool, defaultAuthenticationPolicyId: nullable(long),
  defaultSmartHost: nullable(str), displayName: nullable(str), domain: str, hostname: nullable(str), iam: nullable(iam),
  lastUpdateDate: nullable(datetime), lockoutDuration: long, lockoutObservationWindow: long, lockoutThreshold: nullable(long),
  maxPasswordAge: nullable(long), maxReceiveSize: long, maxSendSize: long, minPasswordAge: nullable(long),
  minPasswordLength: nullable(long), offer: enumOf(ENUMS.serviceOffer), passwordHistoryCount: nullable(long),
  spamAndVirusConfiguration, sslExpirationDate: nullable(date), state: enumOf(ENUMS.serviceState), taskPendingId: long,
  webUrl: nullable(str),
}, ['iam']);

/** email.exchange.Domain: `*Record` = DNS now (nullable), `expected*` = the platform's target, `*IsValid` its verdict. */
const domain = object({
  cnameToCheck: nullable(str),
  dkimDiagnostics: object({ errorCode: nullable(long), message: nullable(str), state: enumOf(ENUMS.dkimState) }),
  domainAliases: arrayOf(str), domainValidated: bool, expectedAutodiscoverSRV: str, expectedMX: arrayOf(str), expectedSPF: str,
  isAliasDomain: bool, main: nullable(bool), mxIsValid: bool, mxRecord: nullable(arrayOf(str)), mxRelay: nullable(str), name: str,
  organization2010: nullable(str), sbrDefault: nullable(str), sendConnectorIdDefault: nullable(long), spfIsValid: bool,
  spfRecord: nullable(arrayOf(str)), srvIsValid: bool, srvRecord: nullable(arrayOf(str)), state: enumOf(ENUMS.objectState),
  taskPendingId: long, type: enumOf(ENUMS.domainType),
});

/** email.exchange.exchangeAccountProtocol (no SMTP, EWS or webDAV switch exists). */
const protocol = object({ IMAP: bool, POP: bool, activeSync: bool, creationDate: datetime, lastUpdate: nullable(datetime), taskPendingId: long, webMail: bool });

/** email.exchange.exchangeAccountDiagnosis. */
const diagnosis = object({
  canReceiveEmail: bool, canSendEmail: bool, connectiveOWA: bool, isLocked: bool, isMxValid: bool, isSpammer: bool,
  isSrvValid: bool, isSuspended: bool, lastCheck: datetime,
});

/** email.exchange.Task: no error message, result or progress. */
const task = object({ finishDate: nullable(datetime), function: enumOf(ENUMS.taskFunction), id: long, status: enumOf(ENUMS.taskStatus), todoDate: datetime });

/** email.exchange.exchangeServiceAuthenticationPolicy: id and 14 booleans. */
const authenticationPolicy = object(Object.fromEntries([
  ['id', long],
  ...['ActiveSync', 'Autodiscover', 'Imap', 'Mapi', 'OfflineAddressBook', 'Pop', 'WebServices']
    .flatMap((p) => [[`blockLegacyAuth${p}`, bool], [`blockModernAuth${p}`, bool]]),
]));

/** email.exchange.exchangeServiceAuthorizedIp (`ip` lower-case here; SMTPS is port 587). */
const authorizedIp = object({
  HTTPS: bool, IMAP: bool, IMAPS: bool, POP: bool, POPS: bool, SMTP: bool, SMTPS: bool, creationDate: datetime,
  displayName: str, ip: ipv4Block, status: enumOf(ENUMS.authorizedIpStatus), updateDate: nullable(datetime),
});

/** Error bodies: `message`, usually `errorCode` and `httpCode` (a string), or `class`. */
const error = object({ message: str, errorCode: str, httpCode: str, class: str }, ['errorCode', 'httpCode', 'class']);

export const OVH_SCHEMAS = {
  names: arrayOf(str),
  ids: arrayOf(long),
  ipBlocks: arrayOf(ipv4Block),
  time: long,
  service, domain, account, protocol, diagnosis, task, authenticationPolicy, authorizedIp, error,
} satisfies Record<string, Schema>;

export type OvhSchemaName = keyof typeof OVH_SCHEMAS;

const SVC = '^/email/exchange/[^/]+/service/[^/]+';
const ACC = `${SVC}/account/[^/]+`;

/** Which schema a 200 answer of each route must follow (paths under /1.0, query string removed). */
export const OVH_ROUTES: Array<[RegExp, OvhSchemaName]> = [
  [/^\/auth\/time$/, 'time'],
  [/^\/email\/exchange$/, 'names'],
  [/^\/email\/exchange\/[^/]+\/service$/, 'names'],
  [new RegExp(`${SVC}$`), 'service'],
  [new RegExp(`${SVC}/domain$`), 'names'],
  [new RegExp(`${SVC}/domain/[^/]+$`), 'domain'],
  [new RegExp(`${SVC}/account$`), 'names'],
  [new RegExp(`${ACC}$`), 'account'],
  [new RegExp(`${ACC}/protocol$`), 'protocol'],
  [new RegExp(`${ACC}/diagnostics$`), 'diagnosis'],
  [new RegExp(`${ACC}/tasks$`), 'ids'],
  [new RegExp(`${ACC}/tasks/\\d+$`), 'task'],
  [new RegExp(`${SVC}/authenticationPolicy$`), 'ids'],
  [new RegExp(`${SVC}/authenticationPolicy/\\d+$`), 'authenticationPolicy'],
  [new RegExp(`${SVC}/authorizedIp$`), 'ipBlocks'],
  [new RegExp(`${SVC}/authorizedIp/[^/]+$`), 'authorizedIp'],
];
