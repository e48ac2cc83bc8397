import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RegistryClientError, RegistryRefusedError } from '../../../../services/shared/registry/registry-client-error.ts';
import { createRegistryClient, REGISTRY_MEDIA_TYPE } from '../../../../services/shared/registry/registry-client.ts';
import { eventSchema, useCliHarness } from '../../cli/cli-harness.ts';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('registry client', () => {
  const cli = useCliHarness();
  const schema = eventSchema('PageView');

  it('speaks the registry media type and URL-encodes subjects', async () => {
    const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const url = await cli.serve((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': REGISTRY_MEDIA_TYPE }).end('{"id": 7}');
      });
    });
    const client = createRegistryClient({ baseUrl: `${url}/prefix/` });
    expect(await client.register('a b?c#d%e', schema)).toEqual({ id: 7 });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/prefix/subjects/a%20b%3Fc%23d%25e/versions',
        headers: expect.objectContaining({ 'content-type': REGISTRY_MEDIA_TYPE, accept: expect.stringMatching(/^application\/vnd\.schemaregistry\.v1\+json/) }),
        body: JSON.stringify({ schema }),
      },
    ]);
  });

  it('registers, looks up, lists and checks against the real router', async () => {
    const registry = await cli.startRegistry();
    const client = createRegistryClient({ baseUrl: registry.url });
    const subject = 'odd subject?#%-value';
    expect(await client.register(subject, schema)).toEqual({ id: 1 });
    expect(await client.subjects()).toEqual([subject]);
    expect(await client.latest(subject)).toMatchObject({ subject, version: 1, id: 1 });
    expect(await client.lookup(subject, schema)).toMatchObject({ subject, version: 1, id: 1 });
    const required = eventSchema('PageView', [{ name: 'event_id', type: 'string' }, { name: 'user', type: 'string' }]);
    const verdict = await client.checkCompatibility(subject, required);
    expect(verdict.compatible).toBe(false);
    expect(verdict.messages.join('\n')).toContain("'user'");
  });

  it('turns {error_code, message} answers into RegistryRefusedError with the code and status', async () => {
    const registry = await cli.startRegistry();
    const client = createRegistryClient({ baseUrl: registry.url });
    const error = await failure(client.latest('weir.raw.nothing-value'));
    expect(error).toBeInstanceOf(RegistryRefusedError);
    expect(error).toMatchObject({ code: 'REGISTRY_REFUSED', errorCode: 40401, status: 404, message: "Subject 'weir.raw.nothing-value' not found." });

    await client.register('s', schema);
    const incompatible = await failure(client.register('s', eventSchema('PageView', [{ name: 'x', type: 'int' }])));
    expect(incompatible).toMatchObject({ errorCode: 409, status: 409, message: expect.stringContaining("'x' has no default") });
  });

  it('reports a refused connection as REGISTRY_UNREACHABLE, naming the URL', async () => {
    const dead = await cli.deadUrl();
    const error = await failure(createRegistryClient({ baseUrl: dead }).subjects());
    expect(error).toBeInstanceOf(RegistryClientError);
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', retriable: true, details: { url: dead, request: 'GET /subjects' } });
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach the schema registry at ${dead} \\(connect ECONNREFUSED`));
  });

  it('gives up on a registry that does not answer in time', async () => {
    const url = await cli.serve(() => {
      // Never answers.
    });
    const error = await failure(createRegistryClient({ baseUrl: url, timeoutMs: 50 }).subjects());
    expect(error).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: `cannot reach the schema registry at ${url} (no answer within 0.05 s)` });
  });

  it('refuses a 2xx answer of the wrong shape', async () => {
    const url = await cli.serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"subjects": []}'));
    const error = await failure(createRegistryClient({ baseUrl: url }).subjects());
    expect(error).toMatchObject({ code: 'REGISTRY_BAD_ANSWER', message: `${url} answered GET /subjects with an unexpected body: {"subjects":[]}` });
  });
});
