/**
 * One thread of the query benchmark's load (query-load.ts): its share of the clients, on the same
 * query mix, in a worker thread, so that the load generator is not held to one core's event loop.
 * Started by query.ts with `--threads`; posts its LoadResult back (kinds by name, as entries).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { queryKinds, type MixData } from './query-mix.ts';
import { runLoad, type KindStats } from './query-load.ts';

export interface LoadWorkerData {
  readonly url: string;
  readonly key: string;
  readonly mix: MixData;
  readonly clients: number;
  readonly firstClient: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export interface LoadWorkerResult {
  readonly byKind: Array<[string, KindStats]>;
  readonly seconds: number;
}

const data = workerData as LoadWorkerData;
const result = await runLoad({ ...data, kinds: queryKinds(data.mix) });
parentPort!.postMessage({ byKind: [...result.byKind], seconds: result.seconds } satisfies LoadWorkerResult);
