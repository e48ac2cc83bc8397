/** Seeded samples for the sketches' accuracy tests, so that a failure replays from its seed. */
import { seededRandom } from '../../../harness/seeded-random.ts';

export type Distribution = 'uniform' | 'lognormal' | 'bimodal' | 'mixed-sign';

/** n values: uniform on [0, 1000), lognormal (mu 3, sigma 1.5), bimodal (normals at 40 and 900), mixed sign with zeros. */
export function samples(distribution: Distribution, n: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (distribution) {
      case 'uniform':
        out[i] = random() * 1000;
        break;
      case 'lognormal':
        out[i] = Math.exp(3 + 1.5 * normal());
        break;
      case 'bimodal':
        out[i] = random() < 0.7 ? 40 + 5 * normal() : 900 + 60 * normal();
        break;
      case 'mixed-sign': {
        const u = random();
        out[i] = u < 0.1 ? 0 : u < 0.4 ? -Math.exp(2 + normal()) : Math.exp(4 + 2 * normal());
        break;
      }
    }
  }
  return out;
}

/** The exact q-quantile as the sketch defines it: the value at 0-based rank floor(q * (n - 1)). */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}
