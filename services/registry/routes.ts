/**
 * Confluent Schema Registry's REST API over a RegistryStore. Every answer, errors included, is
 * `application/vnd.schemaregistry.v1+json`; every error is `{ error_code, message }` with the
 * status of registry-errors.ts. Mount the router last (at the root): it answers every path, unknown
 * ones with 404.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../shared/logger.ts';
import { parseAvroSchema } from './avro-schema.ts';
import {
  jsonObjectBody,
  levelFromBody,
  parseSchemaId,
  parseSubject,
  parseVersionRef,
  queryFlag,
  queryString,
  schemaFromBody,
} from './http-input.ts';
import { RegistryError } from './registry-errors.ts';
import { createRegistryService } from './registry-service.ts';
import type { RegistryStore } from './registry-store.ts';
import { testCompatibility } from './registry-writes.ts';

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024; // 4 MiB

export interface RegistryRouterDeps {
  readonly store: RegistryStore;
  /** Receives the errors that are weir's fault (500s), with the request they broke. */
  readonly logger: Logger;
  /** Larger request bodies are refused with 413. Default 4 MiB. */
  readonly maxBodyBytes?: number;
}

/** What a handler answers: a JSON value, or a stored schema's text sent as it is. */
type Reply = { readonly json: unknown; readonly status?: number } | { readonly raw: string };
type Handler = (req: Request) => Reply | Promise<Reply>;
type Method = 'get' | 'post' | 'put' | 'delete';

export function createRegistryRouter(deps: RegistryRouterDeps): Router {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const service = createRegistryService(deps.store);
  const state = () => service.state();
  const subjectOf = (req: Request) => parseSubject(String(req.params['subject']));
  const versionOf = (req: Request) => parseVersionRef(String(req.params['version']));
  const idOf = (req: Request) => parseSchemaId(String(req.params['id']));
  const deleted = (req: Request) => ({ deleted: queryFlag(req, 'deleted') });
  const schemaOf = (req: Request) => parseAvroSchema(schemaFromBody(jsonObjectBody(req)));

  const compatibility = (against: (req: Request) => ReturnType<typeof versionOf> | 'all'): Handler => (req) => {
    const subject = subjectOf(req);
    const ref = against(req);
    const verbose = queryFlag(req, 'verbose');
    const verdict = testCompatibility(state(), subject, ref, schemaOf(req));
    return { json: verbose ? { is_compatible: verdict.compatible, messages: verdict.messages } : { is_compatible: verdict.compatible } };
  };

  const routes: [Method, string, Handler][] = [
    ['get', '/', () => ({ json: {} })],
    ['get', '/schemas/types', () => ({ json: ['AVRO'] })],
    ['get', '/schemas/ids/:id', (req) => {
      const id = idOf(req);
      const withMax = queryFlag(req, 'fetchMaxId');
      return { json: { schema: state().schemaById(id), ...(withMax ? { maxId: state().maxId } : {}) } };
    }],
    ['get', '/schemas/ids/:id/schema', (req) => ({ raw: state().schemaById(idOf(req)) })],
    ['get', '/schemas/ids/:id/versions', (req) => ({ json: state().usagesOfId(idOf(req), deleted(req)) })],
    ['get', '/schemas/ids/:id/subjects', (req) => ({
      json: [...new Set(state().usagesOfId(idOf(req), deleted(req)).map((u) => u.subject))],
    })],
    ['get', '/subjects', (req) => ({
      json: state().subjects({ ...deleted(req), ...optional('prefix', queryString(req, 'subjectPrefix')) }),
    })],
    ['post', '/subjects/:subject', (req) => {
      const subject = subjectOf(req);
      const found = state().lookup(subject, schemaOf(req).identity, deleted(req));
      return { json: { subject, id: found.id, version: found.version, schema: found.schema } };
    }],
    ['delete', '/subjects/:subject', async (req) => ({
      json: await service.deleteSubject(subjectOf(req), queryFlag(req, 'permanent')),
    })],
    ['get', '/subjects/:subject/versions', (req) => ({ json: state().versionNumbers(subjectOf(req), deleted(req)) })],
    ['post', '/subjects/:subject/versions', async (req) => {
      const subject = subjectOf(req);
      const { id } = await service.register(subject, schemaOf(req));
      return { json: { id } };
    }],
    ['get', '/subjects/:subject/versions/:version', (req) => {
      const { subject, version, id, schema } = state().version(subjectOf(req), versionOf(req), deleted(req));
      return { json: { subject, version, id, schema } };
    }],
    ['delete', '/subjects/:subject/versions/:version', async (req) => ({
      json: await service.deleteVersion(subjectOf(req), versionOf(req), queryFlag(req, 'permanent')),
    })],
    ['get', '/subjects/:subject/versions/:version/schema', (req) => ({
      raw: state().version(subjectOf(req), versionOf(req), deleted(req)).schema,
    })],
    ['get', '/subjects/:subject/versions/:version/referencedby', (req) => {
      state().version(subjectOf(req), versionOf(req), deleted(req));
      return { json: [] }; // weir's registry has no schema references
    }],
    ['get', '/config', () => ({ json: { compatibilityLevel: state().globalLevel() } })],
    ['put', '/config', async (req) => ({ json: { compatibility: await service.setLevel(null, levelFromBody(jsonObjectBody(req))) } })],
    ['delete', '/config', async () => ({ json: { compatibilityLevel: await service.deleteLevel(null) } })],
    ['get', '/config/:subject', (req) => {
      const subject = subjectOf(req);
      const level = queryFlag(req, 'defaultToGlobal') ? state().effectiveLevel(subject) : state().subjectLevel(subject);
      if (level === undefined) {
        throw new RegistryError(
          'SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
          `Subject '${subject}' does not have subject-level compatibility configured`,
          { details: { subject } },
        );
      }
      return { json: { compatibilityLevel: level } };
    }],
    ['put', '/config/:subject', async (req) => {
      const subject = subjectOf(req);
      return { json: { compatibility: await service.setLevel(subject, levelFromBody(jsonObjectBody(req))) } };
    }],
    ['delete', '/config/:subject', async (req) => ({ json: { compatibilityLevel: await service.deleteLevel(subjectOf(req)) } })],
    ['post', '/compatibility/subjects/:subject/versions/:version', compatibility(versionOf)],
    ['post', '/compatibility/subjects/:subject/versions', compatibility(() => 'all')],
  ];

  const router = Router();
  // Bytes only: the handlers parse JSON themselves, to check the media type and word the errors.
  router.use(express.raw({ type: () => true, limit: maxBodyBytes }));
  const allowed = new Map<string, string[]>();
  for (const [method, path, handler] of routes) {
    router[method](path, async (req: Request, res: Response) => send(res, await handler(req)));
    allowed.set(path, [...(allowed.get(path) ?? []), method.toUpperCase()]);
  }
  for (const [path, methods] of allowed) {
    router.all(path, (req: Request) => {
      throw new RegistryError('METHOD_NOT_ALLOWED', `HTTP 405 Method Not Allowed: ${req.method} ${path} (allowed: ${methods.join(', ')})`, {
        details: { allow: methods.join(', ') },
      });
    });
  }
  router.use((req: Request) => {
    throw new RegistryError('ROUTE_NOT_FOUND', `HTTP 404 Not Found: no route for ${req.method} ${req.path}`);
  });
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const registryError = toRegistryError(error, maxBodyBytes);
    if (registryError.code === 'INTERNAL' || registryError.status >= 500) {
      deps.logger.error({ err: error, method: req.method, path: req.path, code: registryError.code }, 'registry request failed');
    }
    const allow = registryError.details['allow'];
    if (typeof allow === 'string') res.set('Allow', allow);
    send(res, { json: registryError.toBody(), status: registryError.status });
  });
  return router;
}

function send(res: Response, reply: Reply): void {
  const body = 'raw' in reply ? reply.raw : JSON.stringify(reply.json);
  const status = 'raw' in reply ? 200 : (reply.status ?? 200);
  // A Buffer, so that express does not append "; charset=utf-8" to the Confluent media type.
  res.status(status).set('Content-Type', REGISTRY_CONTENT_TYPE).send(Buffer.from(body, 'utf8'));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Errors from express and body-parser carry an HTTP status and a `type`; anything else is a bug. */
function toRegistryError(error: unknown, maxBodyBytes: number): RegistryError {
  if (error instanceof RegistryError) return error;
  const { status, type, message } = (error ?? {}) as { status?: unknown; type?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (status === 413 || type === 'entity.too.large') {
    return new RegistryError('BODY_TOO_LARGE', `The request body is larger than the limit of ${maxBodyBytes} bytes`, { cause: error });
  }
  if (status === 415) return new RegistryError('UNSUPPORTED_MEDIA_TYPE', `Unsupported request encoding: ${text}`, { cause: error });
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new RegistryError('MALFORMED_REQUEST', `Malformed request: ${text}`, { cause: error });
  }
  return new RegistryError('INTERNAL', 'Internal server error; the registry logged the cause', { cause: error });
}
