/** What `npm start` prints once everything runs: what is where, and how to stop it. */
export interface BannerEntry {
  readonly name: string;
  readonly where: string;
  readonly note?: string;
}

export function banner(entries: readonly BannerEntry[]): string {
  const width = Math.max(...entries.map((e) => e.name.length));
  const lines = entries.map((e) => `  ${e.name.padEnd(width)}  ${e.where}${e.note ? `  (${e.note})` : ''}`);
  return ['', 'weir is running:', ...lines, '', 'Ctrl-C or SIGTERM stops everything.', ''].join('\n');
}
