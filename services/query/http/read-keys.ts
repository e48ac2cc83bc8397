/**
 * Read keys: who may query which event types. The same format and checks as the gateway's write
 * keys (SHA-256 hashes compared in constant time; "types": "*" or a list), minus the rates.
 * WEIR_READ_KEYS holds the JSON, or WEIR_READ_KEYS_FILE names a file holding it; the dev key of
 * `npm start` may read everything.
 */
import { resolveKeys, WriteKeys } from '../../gateway/auth/write-keys.ts';
import type { QueryConfig } from '../config.ts';

export function resolveReadKeys(config: Pick<QueryConfig, 'readKeys' | 'readKeysFile'> & { readonly devKey?: string | undefined }): WriteKeys {
  return new WriteKeys(
    resolveKeys({
      inline: { value: config.readKeys, variable: 'WEIR_READ_KEYS' },
      file: { value: config.readKeysFile, variable: 'WEIR_READ_KEYS_FILE' },
      devKey: config.devKey,
      noneMessage: 'the query API has no read keys: set WEIR_READ_KEYS or WEIR_READ_KEYS_FILE (or WEIR_DEV_KEY for local development)',
    }),
  );
}
