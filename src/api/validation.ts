// Request validation against the contract's JSON Schema 2020-12 (OpenAPI 3.1): extra fields are
// errors, not silently dropped; bodies are never coerced, query strings are (they are all text).
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { OpenApiDocument } from './openapi.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((formatsModule as unknown as { default: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;

export function createAjv(doc: OpenApiDocument, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    coerceTypes: coerce ? 'array' : false,
  });
  addFormats(ajv);
  ajv.addSchema(doc as object);
  return ajv;
}

export function createValidatorCompiler(doc: OpenApiDocument): FastifySchemaCompiler<unknown> {
  const strict = createAjv(doc, false);
  const coercing = createAjv(doc, true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
