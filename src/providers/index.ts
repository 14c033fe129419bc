// Picks the account-state provider named by the configuration.
import type { Dispatcher } from 'undici';
import type { Config } from '../config/index.js';
import { createHttpProvider } from './http.js';
import { createNoneProvider } from './none.js';
import { createOvhProvider } from './ovhcloud.js';
import type { AccountProvider } from './provider.js';

export function createProvider(config: Config, http: Dispatcher, now: () => number = Date.now): AccountProvider {
  switch (config.PROVIDER) {
    case 'ovhcloud':
      return createOvhProvider({
        endpoint: config.OVH_ENDPOINT,
        // The schema requires the three keys when PROVIDER=ovhcloud.
        appKey: config.OVH_APP_KEY!,
        appSecret: config.OVH_APP_SECRET!,
        consumerKey: config.OVH_CONSUMER_KEY!,
        http,
        now,
      });
    case 'http':
      return createHttpProvider({ baseUrl: config.PROVIDER_HTTP_URL!, token: config.PROVIDER_HTTP_TOKEN, http, now });
    case 'none':
      return createNoneProvider();
  }
}
