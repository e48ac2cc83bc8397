/**
 * The registry's REST API as Confluent clients see it: status codes, bodies, content types and error
 * codes, over HTTP only. Runs against any implementation: `makeService` must start a registry on an
 * empty store (a fresh `_schemas` topic for the Kafka-backed one) and return its base URL. Subjects
 * and schemas carry a per-run tag, and the one test that changes the global level restores it.
 */
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../services/shared/avro/wire-format.ts';

export interface RegistryUnderTest {
  readonly baseUrl: string;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: unknown;
}

const CT = 'application/vnd.schemaregistry.v1+json';

export function registerConformanceSuite(name: string, makeService: () => Promise<RegistryUnderTest>): void {
  describe(`schema registry conformance: ${name}`, () => {
    const run = `r${randomBytes(4).toString('hex')}`;
    let service: RegistryUnderTest | undefined;
    let counter = 0;
    /** A subject no other test uses. */
    const subject = (label: string) => `conf-${run}-${label}-${(counter += 1)}`;
    /** A record schema unique to this run, so ids never collide with another run's. */
    const record = (label: string, fields: unknown[] = [{ name: 'a', type: 'string' }]) =>
      JSON.stringify({ type: 'record', name: `${label}_${run}`, namespace: 'dev.weir.conformance', fields });

    async function call(method: string, path: string, body?: unknown, contentType: string | null = CT): Promise<Answer> {
      const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType };
      const payload = body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      const res = await fetch(`${baseUrl()}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, contentType: res.headers.get('content-type'), text, body: parsed };
    }

    /** A request with a path fetch would normalize (`..`), sent as it is. */
    function rawGet(path: string): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const { hostname, port, pathname } = new URL(baseUrl());
        const req = request({ hostname, port, path: `${pathname.replace(/\/$/, '')}${path}`, method: 'GET' }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, text, body: JSON.parse(text) }));
        });
        req.on('error', reject).end();
      });
    }

    function expectOk(answer: Answer, body?: unknown): void {
      expect(answer.status, answer.text).toBe(200);
      expect(answer.contentType).toBe(CT);
      if (body !== undefined) expect(answer.body).toEqual(body);
    }

    function expectError(answer: Answer, status: number, errorCode: number, mentions?: string | RegExp): void {
      expect(answer.status, answer.text).toBe(status);
      expect(answer.contentType).toBe(CT);
      expect(answer.body).toEqual({ error_code: errorCode, message: expect.any(String) });
      const { message } = answer.body as { message: string };
      expect(message.length).toBeGreaterThan(0);
      if (mentions !== undefined) expect(message).toMatch(mentions);
    }

    const register = async (s: string, schema: string): Promise<number> => {
      const answer = await call('POST', `/subjects/${encodeURIComponent(s)}/versions`, { schema });
      expectOk(answer);
      return (answer.body as { id: number }).id;
    };

    function baseUrl(): string {
      if (service === undefined) throw new Error('the registry under test did not start');
      return service.baseUrl.replace(/\/$/, '');
    }

    beforeAll(async () => {
      service = await makeService();
    });
    afterAll(async () => {
      await service?.close();
    });

    describe('the basics', () => {
      it('answers the root and the schema types', async () => {
        expectOk(await call('GET', '/'), {});
        expectOk(await call('GET', '/schemas/types'), ['AVRO']);
      });

      it('starts with the global level BACKWARD', async () => {
        expectOk(await call('GET', '/config'), { compatibilityLevel: 'BACKWARD' });
      });

      it.each([
        ['application/vnd.schemaregistry.v1+json'],
        ['application/vnd.schemaregistry+json'],
        ['application/json; charset=utf-8'],
        ['application/octet-stream'],
      ])('reads a request body sent as %s', async (contentType) => {
        const s = subject('ct');
        const answer = await call('POST', `/subjects/${s}/versions`, { schema: record('Ct') }, contentType);
        expectOk(answer, { id: expect.any(Number) });
      });

      it('reads a request body sent without a Content-Type', async () => {
        const body = new TextEncoder().encode(JSON.stringify({ schema: record('NoCt') }));
        expectOk(await call('POST', `/subjects/${subject('noct')}/versions`, body, null), { id: expect.any(Number) });
      });

      it('refuses other media types with 415', async () => {
        expectError(await call('POST', `/subjects/${subject('ct')}/versions`, { schema: record('Ct') }, 'text/plain'), 415, 415, 'text/plain');
      });

      it('answers unknown paths with 404 and wrong methods with 405', async () => {
        expectError(await call('GET', '/nowhere'), 404, 404, '/nowhere');
        expectError(await call('GET', '/subjects/x/versions/1/nothing'), 404, 404);
        const wrong = await call('PATCH', '/subjects/x/versions', { schema: '"int"' });
        expectError(wrong, 405, 405, 'PATCH');
      });
    });

    describe('registering and reading', () => {
      it('registers, answers every read, and gives the same id for the same schema', async () => {
        const s = subject('reg');
        const schema = record('Reg', [{ name: 'order_id', type: 'string' }]);
        const id = await register(s, schema);
        expect(Number.isInteger(id) && id > 0).toBe(true);
        expect(await register(s, schema)).toBe(id);
        const respaced = JSON.stringify(JSON.parse(schema), null, 2);
        expect(await register(s, respaced)).toBe(id);

        expectOk(await call('GET', `/subjects/${s}/versions`), [1]);
        const version = { subject: s, version: 1, id, schema: expect.any(String) };
        expectOk(await call('GET', `/subjects/${s}/versions/1`), version);
        expectOk(await call('GET', `/subjects/${s}/versions/latest`), version);
        expectOk(await call('GET', `/subjects/${s}/versions/-1`), version);
        const raw = await call('GET', `/subjects/${s}/versions/1/schema`);
        expectOk(raw);
        expect(raw.body).toEqual(JSON.parse(schema));
        const byId = await call('GET', `/schemas/ids/${id}`);
        expectOk(byId, { schema: expect.any(String) });
        expect(JSON.parse((byId.body as { schema: string }).schema)).toEqual(JSON.parse(schema));
        expectOk(await call('GET', `/schemas/ids/${id}/schema`), JSON.parse(schema));
        expectOk(await call('GET', `/schemas/ids/${id}/versions`), [{ subject: s, version: 1 }]);
        expect((await call('GET', '/subjects')).body).toContain(s);
        expectOk(await call('GET', `/subjects?subjectPrefix=${encodeURIComponent(s)}`), [s]);
        expectOk(await call('POST', `/subjects/${s}`, { schema: respaced }), version);
      });

      it('reuses the id of a schema registered under another subject', async () => {
        const [a, b] = [subject('shareA'), subject('shareB')];
        const schema = record('Shared');
        const id = await register(a, schema);
        expect(await register(b, schema)).toBe(id);
        expectOk(await call('GET', `/schemas/ids/${id}/versions`), [
          { subject: a, version: 1 },
          { subject: b, version: 1 },
        ]);
      });

      it('adds a compatible version and refuses an incompatible one with 409 naming the field', async () => {
        const s = subject('evolve');
        const v1 = record('Evolve', [{ name: 'order_id', type: 'string' }]);
        const v2 = record('Evolve', [{ name: 'order_id', type: 'string' }, { name: 'tax_minor', type: 'long', default: 0 }]);
        const bad = record('Evolve', [{ name: 'order_id', type: 'string' }, { name: 'currency', type: 'string' }]);
        const id1 = await register(s, v1);
        const id2 = await register(s, v2);
        expect(id2).toBeGreaterThan(id1);
        expectOk(await call('GET', `/subjects/${s}/versions/latest`), { subject: s, version: 2, id: id2, schema: expect.any(String) });
        expectError(await call('POST', `/subjects/${s}/versions`, { schema: bad }), 409, 409, /'currency'.*no default/);
        expectOk(await call('GET', `/subjects/${s}/versions`), [1, 2]);
      });

      it('looks up only registered schemas', async () => {
        const s = subject('lookup');
        await register(s, record('Lookup'));
        expectError(await call('POST', `/subjects/${s}`, { schema: record('Other') }), 404, 40403);
        expectError(await call('POST', `/subjects/${subject('none')}`, { schema: record('Lookup') }), 404, 40401);
      });

      it('the kafkajs Confluent client registers, encodes and decodes against it', async () => {
        const client = new SchemaRegistry({ host: baseUrl() });
        const s = subject('client');
        const schema = record('Client', [{ name: 'n', type: 'int' }]);
        const { id } = await client.register({ type: SchemaType.AVRO, schema }, { subject: s });
        expect(await client.register({ type: SchemaType.AVRO, schema }, { subject: s })).toEqual({ id });
        const frame = await client.encode(id, { n: 3 });
        expect(decodeFrame(frame)).toEqual({ schemaId: id, body: Buffer.from([0x06]) });
        expect(await new SchemaRegistry({ host: baseUrl() }).decode(frame)).toEqual({ n: 3 });
        expectOk(await call('GET', `/config/${s}`), { compatibilityLevel: 'BACKWARD' });
      });
    });

    describe('bad input', () => {
      it.each<[string, unknown, number, number, string | RegExp]>([
        ['a schema that is not JSON', { schema: '{"type":' }, 422, 42201, 'not valid JSON'],
        ['a string default for an int field', { schema: '{"type":"record","name":"D","fields":[{"name":"count","type":"int","default":"x"}]}' }, 422, 42201, /\/fields\/0\/default.*'count'/],
        ['an invalid name', { schema: '{"type":"record","name":"9lives","fields":[]}' }, 422, 42201, '9lives'],
        ['an unknown type', { schema: '{"type":"record","name":"U","fields":[{"name":"m","type":"Money"}]}' }, 422, 42201, 'Money'],
        ['a non-Avro schema type', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }, 422, 42201, 'PROTOBUF'],
        ['schema references', { schema: '"int"', references: [{ name: 'x', subject: 'y', version: 1 }] }, 422, 42201, 'references'],
        ['no schema field', { schemo: '"int"' }, 422, 422, 'schemo'],
        ['a schema given as an object', { schema: { type: 'string' } }, 422, 422, 'string holding the schema'],
        ['an array body', [{ schema: '"int"' }], 422, 422, 'array'],
        ['an unknown field', { schema: '"int"', colour: 'red' }, 422, 422, 'colour'],
        ['malformed JSON', '{"schema": ', 400, 400, 'not valid JSON'],
        ['an empty body', '', 422, 422, 'empty'],
      ])('refuses %s', async (_label, body, status, errorCode, mentions) => {
        expectError(await call('POST', `/subjects/${subject('bad')}/versions`, body), status, errorCode, mentions);
      });

      it('refuses a body over the size limit with 413', async () => {
        const huge = JSON.stringify({ schema: JSON.stringify({ type: 'string', doc: 'x'.repeat(5 * 1024 * 1024) }) });
        expectError(await call('POST', `/subjects/${subject('huge')}/versions`, huge), 413, 413, 'limit');
      });

      it.each(['abc', '0', '1.5', '+1', '2147483648', 'LATEST'])('refuses version %j with 42202', async (version) => {
        const s = subject('ver');
        await register(s, record('Ver'));
        expectError(await call('GET', `/subjects/${s}/versions/${version}`), 422, 42202, version);
        expectError(await call('DELETE', `/subjects/${s}/versions/${version}`), 422, 42202);
        expectError(await call('POST', `/compatibility/subjects/${s}/versions/${version}`, { schema: record('Ver') }), 422, 42202);
      });

      it.each([
        ['a NUL byte', 'a%00b', 'U+0000'],
        ['a newline', 'a%0Ab', 'U+000A'],
        ['DEL', 'a%7Fb', 'U+007F'],
        ['an encoded slash', '..%2Fetc', "'/'"],
        ['a backslash', 'a%5Cb', "'/' or"],
        ['a context prefix', ':.ctx:orders', 'context'],
      ])('refuses a subject with %s with 42208', async (_label, encoded, mentions) => {
        expectError(await call('GET', `/subjects/${encoded}/versions`), 422, 42208, mentions);
        expectError(await call('POST', `/subjects/${encoded}/versions`, { schema: '"int"' }), 422, 42208);
        expectError(await call('PUT', `/config/${encoded}`, { compatibility: 'NONE' }), 422, 42208);
      });

      it('refuses the subject .. sent without normalization', async () => {
        expectError(await rawGet('/subjects/../versions'), 422, 42208, 'relative path segment');
      });

      it('refuses a path that is not valid percent-encoding with 400', async () => {
        expectError(await call('GET', '/subjects/%E0%A4%A/versions'), 400, 400);
      });

      it('refuses a query flag that is neither true nor false', async () => {
        expectError(await call('GET', '/subjects?deleted=maybe'), 400, 400, "'deleted'");
      });

      it.each(['0', 'abc', '2147483648', '999999999'])('answers schema id %s with 40403', async (id) => {
        expectError(await call('GET', `/schemas/ids/${id}`), 404, 40403);
        expectError(await call('GET', `/schemas/ids/${id}/schema`), 404, 40403);
        expectError(await call('GET', `/schemas/ids/${id}/versions`), 404, 40403);
      });

      it('answers unknown subjects and versions with 40401 and 40402', async () => {
        const s = subject('nf');
        expectError(await call('GET', `/subjects/${s}/versions`), 404, 40401, s);
        expectError(await call('GET', `/subjects/${s}/versions/1`), 404, 40401);
        expectError(await call('DELETE', `/subjects/${s}`), 404, 40401);
        await register(s, record('Nf'));
        expectError(await call('GET', `/subjects/${s}/versions/2`), 404, 40402);
        expectError(await call('DELETE', `/subjects/${s}/versions/2`), 404, 40402);
      });
    });

    describe('deleting', () => {
      it('soft-deletes a version, then permanently, with Confluent codes in between', async () => {
        const s = subject('delv');
        const id1 = await register(s, record('DelV', [{ name: 'a', type: 'string' }]));
        await register(s, record('DelV', [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]));
        expectError(await call('DELETE', `/subjects/${s}/versions/1?permanent=true`), 404, 40407);
        expectOk(await call('DELETE', `/subjects/${s}/versions/1`), 1);
        expectError(await call('DELETE', `/subjects/${s}/versions/1`), 404, 40406);
        expectOk(await call('GET', `/subjects/${s}/versions`), [2]);
        expectOk(await call('GET', `/subjects/${s}/versions?deleted=true`), [1, 2]);
        expectError(await call('GET', `/subjects/${s}/versions/1`), 404, 40402);
        expectOk(await call('GET', `/subjects/${s}/versions/1?deleted=true`), { subject: s, version: 1, id: id1, schema: expect.any(String) });
        expectOk(await call('GET', `/schemas/ids/${id1}`), { schema: expect.any(String) });
        expectOk(await call('DELETE', `/subjects/${s}/versions/1?permanent=true`), 1);
        expectError(await call('GET', `/subjects/${s}/versions/1?deleted=true`), 404, 40402);
        expectError(await call('GET', `/schemas/ids/${id1}`), 404, 40403);
      });

      it('soft-deletes a subject, then permanently, and never reuses its ids', async () => {
        const s = subject('dels');
        const id1 = await register(s, record('DelS1'));
        const id2 = await register(s, record('DelS1', [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]));
        expectError(await call('DELETE', `/subjects/${s}?permanent=true`), 404, 40405);
        expectOk(await call('DELETE', `/subjects/${s}`), [1, 2]);
        expect((await call('GET', '/subjects')).body).not.toContain(s);
        expect((await call('GET', '/subjects?deleted=true')).body).toContain(s);
        expectError(await call('GET', `/subjects/${s}/versions`), 404, 40401);
        expectError(await call('DELETE', `/subjects/${s}`), 404, 40404);
        expectOk(await call('DELETE', `/subjects/${s}?permanent=true`), [1, 2]);
        expectError(await call('GET', `/subjects/${s}/versions?deleted=true`), 404, 40401);
        expectError(await call('GET', `/schemas/ids/${id2}`), 404, 40403);

        const fresh = await register(subject('after'), record('AfterDelete'));
        expect(fresh).toBeGreaterThan(Math.max(id1, id2));
        const again = await register(s, record('DelS1'));
        expect(again).not.toBe(id1);
        expect(again).toBeGreaterThan(fresh);
      });

      it('registers a soft-deleted schema again as a new version with its old id', async () => {
        const s = subject('rereg');
        const id = await register(s, record('ReReg'));
        expectOk(await call('DELETE', `/subjects/${s}`), [1]);
        expectError(await call('POST', `/subjects/${s}`, { schema: record('ReReg') }), 404, 40401);
        expect(await register(s, record('ReReg'))).toBe(id);
        expectOk(await call('GET', `/subjects/${s}/versions`), [2]);
      });
    });

    describe('config', () => {
      it('sets, reads and deletes a subject level', async () => {
        const s = subject('cfg');
        expectError(await call('GET', `/config/${s}`), 404, 40408, s);
        expectOk(await call('GET', `/config/${s}?defaultToGlobal=true`), { compatibilityLevel: 'BACKWARD' });
        expectOk(await call('PUT', `/config/${s}`, { compatibility: 'full' }), { compatibility: 'FULL' });
        expectOk(await call('GET', `/config/${s}`), { compatibilityLevel: 'FULL' });
        expectOk(await call('DELETE', `/config/${s}`), { compatibilityLevel: 'FULL' });
        expectError(await call('GET', `/config/${s}`), 404, 40408);
        expectError(await call('DELETE', `/config/${s}`), 404, 40401);
      });

      it.each([[{ compatibility: 'SOMETIMES' }], [{ compatibility: 3 }], [{}]])('refuses %j with 42203', async (body) => {
        expectError(await call('PUT', `/config/${subject('cfgbad')}`, body), 422, 42203);
        expectError(await call('PUT', '/config', body), 422, 42203);
      });

      it('applies the subject level to registrations', async () => {
        const s = subject('cfgmode');
        const v1 = record('Mode', [{ name: 'a', type: 'string' }]);
        const added = record('Mode', [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }]);
        await register(s, v1);
        expectOk(await call('PUT', `/config/${s}`, { compatibility: 'FORWARD' }));
        const forwardOk = await call('POST', `/subjects/${s}/versions`, { schema: added });
        expectOk(forwardOk);
        const dropped = record('Mode', [{ name: 'b', type: 'string' }]);
        expectError(await call('POST', `/subjects/${s}/versions`, { schema: dropped }), 409, 409, /FORWARD.*'a'/);
        expectOk(await call('PUT', `/config/${s}`, { compatibility: 'NONE' }));
        expectOk(await call('POST', `/subjects/${s}/versions`, { schema: dropped }));
      });

      it('sets the global level and resets it to the default', async () => {
        const s = subject('global');
        try {
          expectOk(await call('PUT', '/config', { compatibility: 'FULL_TRANSITIVE' }), { compatibility: 'FULL_TRANSITIVE' });
          expectOk(await call('GET', '/config'), { compatibilityLevel: 'FULL_TRANSITIVE' });
          expectOk(await call('GET', `/config/${s}?defaultToGlobal=true`), { compatibilityLevel: 'FULL_TRANSITIVE' });
        } finally {
          expectOk(await call('DELETE', '/config'), { compatibilityLevel: 'FULL_TRANSITIVE' });
        }
        expectOk(await call('GET', '/config'), { compatibilityLevel: 'BACKWARD' });
      });
    });

    describe('compatibility checks', () => {
      it('answers is_compatible, with messages when verbose', async () => {
        const s = subject('compat');
        const v1 = record('Compat', [{ name: 'a', type: 'string' }]);
        await register(s, v1);
        const good = record('Compat', [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 0 }]);
        const bad = record('Compat', [{ name: 'a', type: 'int' }]);
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: good }), { is_compatible: true });
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/1?verbose=true`, { schema: good }), { is_compatible: true, messages: [] });
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: bad }), { is_compatible: false });
        const verbose = await call('POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, { schema: bad });
        expectOk(verbose, { is_compatible: false, messages: [expect.stringMatching(/\/fields\/a\/type.*'a'.*cannot read/)] });
        expectOk(await call('GET', `/subjects/${s}/versions`), [1]);
      });

      it('checks every version under a transitive level and only the latest otherwise', async () => {
        const s = subject('trans');
        await register(s, record('Trans', [{ name: 'a', type: 'string' }]));
        await register(s, record('Trans', [{ name: 'a', type: 'string' }, { name: 'b', type: 'string', default: '' }]));
        const v3 = record('Trans', [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }]);
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: v3 }), { is_compatible: true });
        expectOk(await call('PUT', `/config/${s}`, { compatibility: 'BACKWARD_TRANSITIVE' }));
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: v3 }), { is_compatible: false });
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/2`, { schema: v3 }), { is_compatible: true });
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/1`, { schema: v3 }), { is_compatible: false });
        expectError(await call('POST', `/subjects/${s}/versions`, { schema: v3 }), 409, 409, 'version 1');
      });

      it('answers unknown versions, unknown subjects and invalid schemas', async () => {
        const s = subject('compatnf');
        expectOk(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: record('Nf') }), { is_compatible: true });
        expectError(await call('POST', `/compatibility/subjects/${s}/versions/1`, { schema: record('Nf') }), 404, 40402);
        await register(s, record('Nf'));
        expectError(await call('POST', `/compatibility/subjects/${s}/versions/5`, { schema: record('Nf') }), 404, 40402);
        expectError(await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: '{"type":"record"}' }), 422, 42201);
      });
    });
  });
}
