/**
 * Turning the untrusted parts of a request (path parameters, query flags, the body) into typed
 * values, or a RegistryError that says what is wrong with which part.
 */
import type { Request } from 'express';
import { parseCompatibilityLevel, COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility-modes.ts';
import { RegistryError } from './registry-errors.ts';
import type { VersionRef } from './registry-state.ts';

/** Longer than any subject a naming strategy makes from a Kafka topic (249 chars) and a record name. */
export const MAX_SUBJECT_LENGTH = 1_024;
const MAX_VERSION = 2 ** 31 - 1;

/** Media types Confluent accepts for request bodies; a request without Content-Type is read as JSON too. */
export const ACCEPTED_BODY_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
] as const;

// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

export function parseSubject(raw: string): string {
  const fail = (why: string): never => {
    throw new RegistryError('INVALID_SUBJECT', `The specified subject ${JSON.stringify(raw)} is not valid: ${why}`, {
      details: { subject: raw },
    });
  };
  if (raw.length === 0) fail('it is empty');
  if (raw.length > MAX_SUBJECT_LENGTH) fail(`it is longer than ${MAX_SUBJECT_LENGTH} characters`);
  if (!raw.isWellFormed()) fail('it is not well-formed Unicode');
  const control = CONTROL.exec(raw);
  if (control) fail(`it contains the control character U+${control[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
  if (raw === '.' || raw === '..') fail('it is a relative path segment');
  if (/[/\\]/.test(raw)) fail("it contains '/' or '\\'");
  if (raw.startsWith(':')) fail("subject contexts (':.context:subject') are not supported");
  return raw;
}

/** A version path parameter: 1 to 2^31-1, `latest`, or -1 (Confluent's other spelling of latest). */
export function parseVersionRef(raw: string): VersionRef {
  if (raw === 'latest' || raw === '-1') return 'latest';
  if (/^[0-9]{1,10}$/.test(raw)) {
    const version = Number(raw);
    if (version >= 1 && version <= MAX_VERSION) return version;
  }
  throw new RegistryError(
    'INVALID_VERSION',
    `The specified version ${JSON.stringify(raw)} is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    { details: { version: raw } },
  );
}

/** Ids are positive 32-bit integers; anything else names no schema. */
export function parseSchemaId(raw: string): number {
  if (/^[0-9]{1,10}$/.test(raw)) {
    const id = Number(raw);
    if (id >= 1 && id <= MAX_VERSION) return id;
  }
  throw new RegistryError('SCHEMA_NOT_FOUND', `Schema ${JSON.stringify(raw)} not found: schema ids are integers from 1 to 2^31-1`);
}

/** A boolean query parameter: absent is false; anything but `true` or `false` is refused rather than guessed. */
export function queryFlag(req: Request, name: string): boolean {
  const raw: unknown = req.query[name];
  if (raw === undefined) return false;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  throw new RegistryError('MALFORMED_REQUEST', `Query parameter '${name}' must be true or false, got ${JSON.stringify(raw)}`);
}

export function queryString(req: Request, name: string): string | undefined {
  const raw: unknown = req.query[name];
  if (raw === undefined || typeof raw === 'string') return raw;
  throw new RegistryError('MALFORMED_REQUEST', `Query parameter '${name}' must be given once, as a string`);
}

/** The request body as a JSON object. The body was read as bytes by express.raw (routes.ts). */
export function jsonObjectBody(req: Request): Record<string, unknown> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined) {
    const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(ACCEPTED_BODY_TYPES as readonly string[]).includes(media)) {
      throw new RegistryError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${JSON.stringify(contentType)} is not supported; send ${ACCEPTED_BODY_TYPES.slice(0, 3).join(', ')}`,
      );
    }
  }
  const bytes: unknown = req.body;
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
    throw new RegistryError('UNPROCESSABLE_BODY', 'The request body is empty; expected a JSON object');
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new RegistryError('MALFORMED_REQUEST', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RegistryError('UNPROCESSABLE_BODY', `The request body must be a JSON object, got ${Array.isArray(body) ? 'an array' : JSON.stringify(body)}`);
  }
  return body as Record<string, unknown>;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === false || (typeof value === 'object' && Object.keys(value).length === 0);
}

/** Fields Confluent clients may send that weir accepts only when empty (absent, null, false, [] or {}). */
const EMPTY_ONLY_SCHEMA_FIELDS = ['references', 'metadata', 'ruleSet'];
const EMPTY_ONLY_CONFIG_FIELDS = ['alias', 'normalize', 'compatibilityGroup', 'defaultMetadata', 'overrideMetadata', 'defaultRuleSet', 'overrideRuleSet'];

/** The `schema` string of a register, lookup or compatibility request. */
export function schemaFromBody(body: Record<string, unknown>): string {
  for (const key of Object.keys(body)) {
    if (key === 'schema' || key === 'schemaType' || EMPTY_ONLY_SCHEMA_FIELDS.includes(key)) continue;
    if (key === 'id' || key === 'version') {
      throw new RegistryError('OPERATION_NOT_PERMITTED', `Field '${key}' in the request body needs IMPORT mode, which weir's registry does not offer`);
    }
    throw new RegistryError('UNPROCESSABLE_BODY', `Unrecognized field: ${key}`);
  }
  const { schema, schemaType } = body;
  if (schemaType !== undefined && schemaType !== null && (typeof schemaType !== 'string' || schemaType.toUpperCase() !== 'AVRO')) {
    throw new RegistryError('INVALID_SCHEMA', `Invalid schema type ${JSON.stringify(schemaType)}: weir's registry stores AVRO schemas only`);
  }
  for (const key of EMPTY_ONLY_SCHEMA_FIELDS) {
    if (!isEmpty(body[key])) {
      throw new RegistryError('INVALID_SCHEMA', `Field '${key}' is not supported by weir's registry; send the schema without it`);
    }
  }
  if (typeof schema !== 'string') {
    const got = schema === undefined ? 'no "schema" field' : `a ${schema === null ? 'null' : Array.isArray(schema) ? 'array' : typeof schema}`;
    throw new RegistryError(
      'UNPROCESSABLE_BODY',
      `The request body needs "schema": a string holding the schema's JSON, escaped (e.g. {"schema": "{\\"type\\": \\"string\\"}"}); got ${got}`,
    );
  }
  if (schema.trim() === '') throw new RegistryError('INVALID_SCHEMA', 'Invalid schema: the schema string is empty');
  return schema;
}

/** The level of a `PUT /config` request: `{"compatibility": "FULL"}`. */
export function levelFromBody(body: Record<string, unknown>): CompatibilityLevel {
  for (const key of Object.keys(body)) {
    if (key === 'compatibility') continue;
    if (EMPTY_ONLY_CONFIG_FIELDS.includes(key)) {
      if (isEmpty(body[key])) continue;
      throw new RegistryError('UNPROCESSABLE_BODY', `Config field '${key}' is not supported by weir's registry`);
    }
    throw new RegistryError('UNPROCESSABLE_BODY', `Unrecognized field: ${key}`);
  }
  const level = parseCompatibilityLevel(body['compatibility']);
  if (level === undefined) {
    throw new RegistryError(
      'INVALID_COMPATIBILITY_LEVEL',
      `Invalid compatibility level ${JSON.stringify(body['compatibility'] ?? null)}. Valid values are ${COMPATIBILITY_LEVELS.join(', ')}`,
    );
  }
  return level;
}
