// No account-state provider configured: the account check reports "not applicable".
import type { AccountProvider } from './provider.js';

export function createNoneProvider(): AccountProvider {
  return {
    name: 'none',
    lookup: async () => { throw new Error('provider "none" has no account data; the account check skips before asking'); },
  };
}
