// GET /v1/platforms: the platform profiles this client may name in `platform`, with the hosts the
// checks will expect, so a support tool can offer them (and the server it may choose) without a copy of
// PLATFORMS_FILE. Read-only; hosts only, nothing secret.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.js';
import { resolvePlatform } from '../../platforms/profile.js';
import { clientOf } from '../auth.js';
import { defaultPlatformFor } from '../client-policy.js';
import { routeSchema, type OpenApiDocument } from '../openapi.js';

export interface PlatformsRoutesOptions {
  config: Readonly<Config>;
  doc: OpenApiDocument;
}

export const platformsRoutes: FastifyPluginAsync<PlatformsRoutesOptions> = async (app, o) => {
  const { config } = o;
  // No query parameters: an unknown one is a 400, as on every other /v1 route.
  const schema = { ...routeSchema(o.doc, '/v1/platforms', 'get'), querystring: { type: 'object', additionalProperties: false } };
  app.get('/v1/platforms', { schema }, async (req) => {
    const policy = config.clients.get(clientOf(req))!.policy;
    const ids = [...config.platforms.keys()].filter((id) => !policy.platforms || policy.platforms.includes(id));
    return {
      default: defaultPlatformFor(policy, config.DEFAULT_PLATFORM),
      serverOverride: policy.serverOverride,
      // Hosts as the checks see them for the profile's own server (`{server}` filled in).
      items: ids.map((id) => {
        const p = resolvePlatform(id, config.platforms.get(id)!, undefined);
        return { id, label: p.label, server: p.server, mx: p.mx, imap: p.imap, smtp: p.smtp, srvTarget: p.srv.target };
      }),
    };
  });
};
