/** What benchmarks read back from a service process: its Prometheus page and its V8 CPU profile. */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The sum of one metric's samples in a Prometheus text page. */
export function sumMetric(page: string, name: string): number {
  return page
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The top `n` functions by self time in a V8 .cpuprofile (samples weighted by their time deltas). */
export function topSelfTime(file: string, n: number): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the delta to the next one
    const frame = byNode.get(id)!.callFrame;
    const where = frame.url === '' ? '' : ` ${frame.url.replace(`file://${ROOT}/`, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
    if (key !== '(idle)') total += us;
  });
  const idle = self.get('(idle)') ?? 0;
  self.delete('(idle)');
  return [
    `main thread busy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s; % of busy time:`,
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`),
  ];
}

/** Stops a process started with --cpu-prof-dir=`dir` and reads the profile it wrote on exit. */
export async function profileOnExit(stop: () => Promise<void>, dir: string, before: ReadonlySet<string>, n = 15): Promise<string> {
  await stop(); // the profile is written when the process exits
  const written = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (written.length === 0) return `no .cpuprofile written in ${dir}\n`;
  const file = path.join(dir, written.sort().at(-1)!);
  return `top ${n} self time in ${file} (whole process life, start-up included):\n${topSelfTime(file, n).join('\n')}\n`;
}
