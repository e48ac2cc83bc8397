/**
 * Reads a request body into memory under a byte limit that also holds after decompression, so a
 * small gzip bomb is refused (413) before it can grow. Content types: JSON (an array of events or
 * `{"events": [...]}`) and NDJSON (one event per line).
 */
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { GatewayError } from './gateway-error.ts';

const gunzip = promisify(zlib.gunzip);

export type BodyFormat = 'json' | 'ndjson';

export interface RawBody {
  readonly text: string;
  readonly format: BodyFormat;
  /** Bytes after decompression. */
  readonly bytes: number;
}

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type === '' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  throw new GatewayError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type ${contentType} is not accepted: send application/json (an array of events, or {"events": [...]}) or application/x-ndjson (one event per line)`,
  );
}

async function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new GatewayError('BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${maxBytes} bytes: send smaller batches`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new GatewayError('BODY_TOO_LARGE', `the body is over the limit of ${maxBytes} bytes: send smaller batches`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

async function decode(raw: Buffer, encoding: string, maxBytes: number): Promise<Buffer> {
  if (encoding === '' || encoding === 'identity') return raw;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not accepted: send gzip or no encoding`);
  }
  try {
    return await gunzip(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new GatewayError('BODY_TOO_LARGE', `the body decompresses to more than the limit of ${maxBytes} bytes: send smaller batches`);
    }
    throw new GatewayError('BODY_MALFORMED', `the gzip body cannot be decompressed (${code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt'}): ${(error as Error).message}`);
  }
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<RawBody> {
  const format = bodyFormat(req.headers['content-type']);
  const raw = await readRaw(req, maxBytes);
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  const body = await decode(raw, encoding, maxBytes);
  // Invalid UTF-8 becomes U+FFFD here; such text then fails validation where it lands, not as a crash.
  return { text: body.toString('utf8'), format, bytes: body.length };
}
