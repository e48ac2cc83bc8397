/** The Prometheus config and alert rules in deploy/prometheus/, read as data for the deploy tests. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const prometheusDir = new URL('../../../deploy/prometheus/', import.meta.url).pathname;
export const rulesDir = path.join(prometheusDir, 'rules');

export interface RuleDefinition {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleFile {
  readonly file: string;
  readonly rules: readonly RuleDefinition[];
}

/** Every rule file, with its rules (YAML merge keys resolved as Prometheus resolves them). */
export function readRuleFiles(): RuleFile[] {
  return fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => {
      const file = path.join(rulesDir, f);
      const doc = parse(fs.readFileSync(file, 'utf8'), { merge: true }) as { groups: { rules: RuleDefinition[] }[] };
      return { file, rules: doc.groups.flatMap((g) => g.rules) };
    });
}

export function alertRules(): RuleDefinition[] {
  return readRuleFiles().flatMap((f) => f.rules.filter((r) => r.alert !== undefined));
}

export interface ScrapeJob {
  readonly job: string;
  /** The compose service name Prometheus resolves, and the port it scrapes. */
  readonly service: string;
  readonly port: number;
}

/** The jobs of deploy/prometheus/prometheus.yml that scrape weir services (by DNS name). */
export function weirScrapeJobs(): ScrapeJob[] {
  const config = parse(fs.readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
  };
  return config.scrape_configs.flatMap((c) => (c.dns_sd_configs ?? []).flatMap((d) => d.names.map((service) => ({ job: c.job_name, service, port: d.port }))));
}
