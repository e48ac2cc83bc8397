import crypto from 'node:crypto';

/** A name no other test (or earlier run) uses: prefix, time and randomness, safe for topics and databases. */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 't';
  return `${clean}_${Date.now().toString(36)}_${crypto.randomBytes(4).toString('hex')}`;
}
