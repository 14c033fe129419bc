// One TLS SecureContext per option set, shared by every outbound connection of the process.
// tls.connect() builds a new SecureContext for each call unless `secureContext` is passed, and
// building one loads the whole root store (Node's bundled roots plus NODE_EXTRA_CA_CERTS) into a
// fresh OpenSSL X509_STORE: a large part of a connection's CPU when a worker opens thousands.
// A context without `ca` uses that same default store (node: lib/internal/tls/secure-context.js,
// `context.addRootCerts()` when no `ca` is given), so verification is unchanged; per-connection
// options (servername, rejectUnauthorized, checkServerIdentity, session) stay on the connect call.
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * The process's shared context for these options (default: Node's defaults and root store).
 * Only plain, JSON-serialisable options are accepted (they make the cache key).
 */
export function sharedSecureContext(options: Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = {}): SecureContext {
  const key = JSON.stringify(options, Object.keys(options).sort());
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = createSecureContext(options);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** `tls` options for a connection library with the shared context added (the caller's own options win). */
export function withSharedContext<T extends object>(tls: T | undefined): T & { secureContext: SecureContext } {
  return { secureContext: sharedSecureContext(), ...(tls ?? {}) } as T & { secureContext: SecureContext };
}
