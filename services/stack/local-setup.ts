/** What the local stack does once so that `npm start` is ready to take events at once. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import type { RegistryClient } from '../shared/registry/registry-client.ts';
import { isRegistryClientError } from '../shared/registry/registry-client-error.ts';

/**
 * Registers every schemas/events/<type>.avsc under weir.raw.<type>-value (the same schema again is
 * a no-op). A schema the registry refuses (e.g. incompatible with what an earlier run registered)
 * is logged and skipped: the stack still starts, and `npx weir schemas check` says why.
 */
export async function registerStarterSchemas(registry: RegistryClient, dir: string, logger: Logger): Promise<string[]> {
  const registered: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort()) {
    const type = file.slice(0, -'.avsc'.length);
    try {
      await registry.register(`weir.raw.${type}-value`, fs.readFileSync(path.join(dir, file), 'utf8'));
      registered.push(type);
    } catch (error) {
      if (!isRegistryClientError(error, 'REGISTRY_REFUSED')) throw error;
      logger.warn({ file, err: error }, 'the registry refused a starter schema; run `npx weir schemas check` to see why');
    }
  }
  return registered;
}

/** A secret kept in the data directory, made on first use, so it stays the same between runs. */
export function localSecret(file: string, make: () => string = () => crypto.randomBytes(32).toString('hex')): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = make();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Where `npm start` keeps the dev key it made, which `weir demo` reads when WEIR_DEV_KEY is unset. */
export function devKeyFile(dataDir: string): string {
  return path.join(dataDir, 'dev-key');
}
