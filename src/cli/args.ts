// Command-line parsing for `exdiag`: pure, so that usage errors are tested without a process.
import { parseArgs } from 'node:util';
import { CHECK_IDS, type CheckId, type Locale } from '../diagnostics/types.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The user pressed Ctrl-C (at the password prompt or during the run): exit status 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

export type PasswordSource = { kind: 'env'; name: string } | { kind: 'stdin' } | { kind: 'prompt' };

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'client-new'; clientId: string; webhookUrl?: string }
  | {
    kind: 'run';
    account: string;
    platform?: string;
    server?: string;
    checks?: CheckId[];
    locale: Locale;
    json: boolean;
    password: PasswordSource;
  };

export const USAGE = `Usage:
  exdiag run <account> [options]    diagnose one mailbox now, without the queue
  exdiag client new <clientId> [--webhook-url <url>]
                                    make an API key and a webhook secret for a new client,
                                    and print its CLIENTS_FILE entry (only digests of the key)
  exdiag --version                  the installed version
  exdiag --help                     this text

Options of run:
  --platform <id>        platform profile (default: DEFAULT_PLATFORM)
  --server <host>        the account's server, e.g. ex3.mail.example.net
  --checks <a,b,...>     run only these checks (${CHECK_IDS.join(', ')})
  --locale <fr|en>       language of the report (default: en)
  --json                 print the diagnostic record as JSON instead of the report
  --password-env <VAR>   read the password from environment variable VAR
  --password-stdin       read the password from the first line of standard input
                         (otherwise it is asked for, without echo, on a terminal)

While checks run, stderr shows the ones still running and for how long (a status line redrawn
in place on a terminal, plain lines otherwise; NO_COLOR turns colours off). Ctrl-C cancels.

The password is never accepted as an argument value.
Exit status: 0 healthy or degraded, 1 failing or inconclusive, 2 usage or configuration error,
130 interrupted (Ctrl-C).
Configuration comes from the environment (DNS_SERVERS, PLATFORMS_FILE, PROVIDER, ...); LOG_LEVEL defaults to warn.`;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOST = /^[A-Za-z0-9.-]+$/;

export function parseCommand(argv: string[]): Command {
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new UsageError('the password is never given on the command line: use --password-env VAR, --password-stdin or the prompt');
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
        platform: { type: 'string' },
        server: { type: 'string' },
        checks: { type: 'string' },
        locale: { type: 'string' },
        json: { type: 'boolean' },
        'password-env': { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'webhook-url': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: 'help' };
  if (v.version || positionals[0] === 'version') return { kind: 'version' };
  if (positionals.length === 0 || positionals[0] === 'help') return { kind: 'help' };
  if (positionals[0] === 'client') return parseClientCommand(positionals.slice(1), v['webhook-url']);
  const [command, account, ...rest] = positionals;
  if (command !== 'run') throw new UsageError(`unknown command "${command}"`);
  if (!account) throw new UsageError('run needs the mailbox address: exdiag run <account>');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (!EMAIL.test(account)) throw new UsageError(`"${account}" is not a mailbox address`);
  if (v.server !== undefined && !HOST.test(v.server)) throw new UsageError(`--server must be a host name`);
  const locale = v.locale ?? 'en';
  if (locale !== 'fr' && locale !== 'en') throw new UsageError('--locale must be fr or en');
  let checks: CheckId[] | undefined;
  if (v.checks !== undefined) {
    const ids = v.checks.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
    if (unknown.length || !ids.length) throw new UsageError(`unknown check(s) in --checks: ${unknown.join(', ') || '(none given)'}; known: ${CHECK_IDS.join(', ')}`);
    // Registry order, whatever order was typed.
    checks = CHECK_IDS.filter((id) => ids.includes(id));
  }
  if (v['password-env'] !== undefined && v['password-stdin']) throw new UsageError('use either --password-env or --password-stdin, not both');
  const password: PasswordSource = v['password-env'] !== undefined
    ? { kind: 'env', name: v['password-env'] }
    : v['password-stdin'] ? { kind: 'stdin' } : { kind: 'prompt' };
  return {
    kind: 'run', account, locale, json: Boolean(v.json), password,
    ...(v.platform !== undefined ? { platform: v.platform } : {}),
    ...(v.server !== undefined ? { server: v.server.toLowerCase() } : {}),
    ...(checks ? { checks } : {}),
  };
}

function parseClientCommand(args: string[], webhookUrl: string | undefined): Command {
  const [sub, clientId, ...rest] = args;
  if (sub !== 'new') throw new UsageError('usage: exdiag client new <clientId> [--webhook-url <url>]');
  if (!clientId || !/^[A-Za-z0-9_.-]+$/.test(clientId)) throw new UsageError('the client id is letters, digits, dot, dash or underscore');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (webhookUrl !== undefined && !URL.canParse(webhookUrl)) throw new UsageError('--webhook-url must be a URL');
  return { kind: 'client-new', clientId, ...(webhookUrl ? { webhookUrl } : {}) };
}
