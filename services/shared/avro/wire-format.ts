/**
 * The Confluent wire format, which every Avro message on a weir topic uses so that any Kafka tool
 * in the ecosystem can read it:
 *
 *   offset 0      magic byte, always 0
 *   offset 1..4   schema id, unsigned 32-bit big-endian: the registry's global id of the writer schema
 *   offset 5..    the Avro binary encoding of the value (no container-file header, no length prefix)
 *
 * Pure functions, no registry lookups: resolving the id to a schema is the caller's job.
 */

export const MAGIC_BYTE = 0;
export const FRAME_HEADER_BYTES = 5;
export const MAX_FRAME_SCHEMA_ID = 0xffff_ffff;

export const FRAME_ERROR_CODES = ['FRAME_TOO_SHORT', 'FRAME_BAD_MAGIC', 'FRAME_BAD_SCHEMA_ID'] as const;
export type FrameErrorCode = (typeof FRAME_ERROR_CODES)[number];

/** A frame that cannot be decoded (or an id that cannot be encoded). Never retriable: the bytes will not change. */
export class FrameError extends Error {
  readonly code: FrameErrorCode;
  readonly retriable = false;

  constructor(code: FrameErrorCode, message: string) {
    super(message);
    this.name = 'FrameError';
    this.code = code;
  }
}

export interface Frame {
  readonly schemaId: number;
  /** A view on the input's memory, not a copy. */
  readonly body: Buffer;
}

export function encodeFrame(schemaId: number, avroBody: Uint8Array): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_FRAME_SCHEMA_ID) {
    throw new FrameError(
      'FRAME_BAD_SCHEMA_ID',
      `schema id ${String(schemaId)} cannot be framed: expected an integer from 0 to ${MAX_FRAME_SCHEMA_ID}`,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + avroBody.length);
  frame.writeUInt8(MAGIC_BYTE, 0);
  frame.writeUInt32BE(schemaId, 1);
  frame.set(avroBody, FRAME_HEADER_BYTES);
  return frame;
}

export function decodeFrame(frame: Uint8Array): Frame {
  if (frame.length < FRAME_HEADER_BYTES) {
    throw new FrameError(
      'FRAME_TOO_SHORT',
      `message of ${frame.length} byte(s) is too short for the Confluent wire format: ` +
        `it needs at least ${FRAME_HEADER_BYTES} (magic byte 0 and a 4-byte schema id)`,
    );
  }
  const buf = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const magic = buf.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new FrameError(
      'FRAME_BAD_MAGIC',
      `message starts with byte 0x${magic.toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00: ` +
        'it was not written by a Confluent-compatible Avro serializer',
    );
  }
  return { schemaId: buf.readUInt32BE(1), body: buf.subarray(FRAME_HEADER_BYTES) };
}
