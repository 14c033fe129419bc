// openapi.yaml is the contract: read once when the app is built, it gives the route schemas
// (body, params, query, headers) so that what is documented is what is validated.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const OPENAPI_ID = 'openapi.yaml';

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  components: { schemas: Record<string, unknown>; parameters?: Record<string, OpenApiParameter>; responses?: Record<string, unknown> };
  [k: string]: unknown;
}

interface OpenApiParameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: unknown }
interface OpenApiOperation {
  parameters?: Array<OpenApiParameter | { $ref: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The repository's openapi.yaml (src/api → ../../openapi.yaml, also from dist/src/api). */
export function defaultOpenApiPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'openapi.yaml'), join(here, '..', '..', '..', 'openapi.yaml')];
  for (const c of candidates) {
    try { readFileSync(c); return c; } catch { /* next */ }
  }
  return candidates[0];
}

export function loadOpenApi(file = defaultOpenApiPath()): { doc: OpenApiDocument; text: string } {
  const text = readFileSync(file, 'utf8');
  return { doc: { ...(parse(text) as OpenApiDocument), $id: OPENAPI_ID }, text };
}

/** `/v1/diagnostics/{id}` → `/v1/diagnostics/:id` */
export const toFastifyPath = (p: string) => p.replace(/\{([^}]+)\}/g, ':$1');
export const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const ref = (pointer: string) => ({ $ref: `${OPENAPI_ID}${pointer}` });

/** Fastify route schema for one documented operation, every part pointing into the contract. */
export function routeSchema(doc: OpenApiDocument, path: string, method: (typeof HTTP_METHODS)[number]) {
  const item = doc.paths[path];
  const op = item?.[method] as OpenApiOperation | undefined;
  if (!op) throw new Error(`openapi.yaml documents no ${method.toUpperCase()} ${path}`);
  // Every schema is a reference into the contract, so that its own `$ref`s resolve there.
  const resolve = (p: OpenApiParameter | { $ref: string }, pointer: string): OpenApiParameter => {
    if ('$ref' in p) {
      const name = p.$ref.split('/').pop()!;
      const def = doc.components.parameters?.[name];
      if (!def) throw new Error(`openapi.yaml: unknown parameter ${p.$ref}`);
      return { ...def, schema: ref(`#/components/parameters/${name}/schema`) };
    }
    return { ...p, schema: ref(`${pointer}/schema`) };
  };
  const at = `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  const params = [
    ...((item.parameters as OpenApiOperation['parameters']) ?? []).map((p, i) => resolve(p, `${at}/parameters/${i}`)),
    ...(op.parameters ?? []).map((p, i) => resolve(p, `${at}/${method}/parameters/${i}`)),
  ];
  const part = (where: OpenApiParameter['in']) => {
    const list = params.filter((p) => p.in === where);
    if (!list.length) return undefined;
    return {
      type: 'object',
      properties: Object.fromEntries(list.map((p) => [where === 'header' ? p.name.toLowerCase() : p.name, p.schema])),
      required: list.filter((p) => p.required).map((p) => p.name),
    };
  };
  const json = op.requestBody?.content?.['application/json']?.schema as { $ref?: string } | undefined;
  return {
    ...(json ? { body: json.$ref ? ref(json.$ref) : json } : {}),
    ...(part('path') ? { params: part('path') } : {}),
    ...(part('query') ? { querystring: { ...part('query'), additionalProperties: false } } : {}),
    ...(part('header') ? { headers: part('header') } : {}),
  };
}
