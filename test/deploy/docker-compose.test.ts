/**
 * docker-compose.yml: `docker-compose config` accepts it (the apt package, 1.29: no Docker engine
 * is needed to validate), every image is pinned to a version, every weir service runs its
 * standalone entry point with a readiness check on the port Prometheus scrapes, and the demo
 * load generator sits behind its profile.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { weirScrapeJobs } from './prometheus/rule-files.ts';

const DOCKER_COMPOSE = '/usr/bin/docker-compose'; // apt's docker-compose; .ci/run installs it
const root = new URL('../../', import.meta.url).pathname;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
}

function compose(args: readonly string[]): string {
  // A clean environment: the defaults in the file, not whatever the machine has set.
  return execFileSync(DOCKER_COMPOSE, ['-f', `${root}docker-compose.yml`, ...args], { encoding: 'utf8', cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A tag that names a version: 4.3.1, 26.3, v3.5.0, 24.21.0-bookworm-slim (not latest, not missing). */
function pinned(image: string): boolean {
  const tag = /^[^@]+:([^:/@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+(\.\d+)+(-[\w.-]+)?$/.test(tag);
}

describe('docker-compose.yml', () => {
  const config = (() => {
    try {
      return parse(compose(['--profile', 'demo', 'config'])) as { services: Record<string, ComposeService> };
    } catch (error) {
      const failed = error as { stderr?: string; message: string };
      throw new Error(`docker-compose config failed (apt-get install docker-compose if it is missing):\n${failed.stderr ?? failed.message}`, { cause: error });
    }
  })();
  const services = config.services;
  const weirServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

  it('passes docker-compose config, with the demo only in its profile', () => {
    // docker-compose 1.29 lists profiled services too; `up` starts them only with --profile.
    const all = compose(['config', '--services']).trim().split('\n').sort();
    expect(all).toEqual(['aggregator', 'clickhouse', 'demo', 'gateway', 'grafana', 'kafka-1', 'kafka-2', 'kafka-3', 'lag-exporter', 'processor', 'prometheus', 'query', 'registry', 'schemas']);
    expect(Object.entries(services).filter(([, s]) => s.profiles !== undefined).map(([name, s]) => [name, s.profiles])).toEqual([['demo', ['demo']]]);
    expect(services['demo']?.command).toEqual(['node', 'bin/weir.js', 'demo', '--gateway', 'http://gateway:8080', '--key', 'weir-dev-key-change-me', '--rate', '200']);
  });

  it('pins every image to a version (no latest, no missing tag), the Dockerfile\'s base too', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, `${name}: no image`).toBeDefined();
      if (service.build === undefined) expect(pinned(service.image as string), `${name}: ${service.image} is not pinned to a version`).toBe(true);
      else expect(service.image, `${name}: the locally built image`).toBe('weir:local');
    }
    const dockerfile = fs.readFileSync(`${root}deploy/images/weir.Dockerfile`, 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] as string);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(pinned(base), `FROM ${base} is not pinned`).toBe(true);
    expect(bases.every((b) => b.startsWith('node:24.'))).toBe(true);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  it('runs three KRaft brokers that vote for each other, replicating internal topics three times', () => {
    for (const id of [1, 2, 3]) {
      const env = Object.fromEntries(Object.entries(services[`kafka-${id}`]?.environment ?? {}).map(([k, v]) => [k, String(v)]));
      expect(env['KAFKA_NODE_ID']).toBe(String(id));
      expect(env['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
      expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe('1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093');
      expect(env['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe('3');
      expect(env['KAFKA_MIN_INSYNC_REPLICAS']).toBe('2');
    }
  });

  it('runs each weir service from its standalone entry point, ready-checked on the port Prometheus scrapes', () => {
    const jobs = weirScrapeJobs();
    expect(jobs.map((j) => j.service).sort()).toEqual(['aggregator', 'gateway', 'lag-exporter', 'processor', 'query', 'registry']);
    for (const job of jobs) {
      const service = services[job.service];
      expect(service, `prometheus.yml scrapes ${job.service}, which docker-compose.yml does not run`).toBeDefined();
      expect(service?.command, job.service).toEqual(['node', `services/${job.service}/main.ts`]);
      expect(fs.existsSync(`${root}services/${job.service}/main.ts`) || ['query', 'lag-exporter'].includes(job.service), `services/${job.service}/main.ts`).toBe(true);
      expect(String(service?.environment?.['WEIR_HEALTH_PORT']), `${job.service}: the image's HEALTHCHECK port`).toBe(String(job.port));
    }
    for (const [name, service] of weirServices) {
      expect(Object.keys(service.depends_on ?? {}).length, `${name}: depends_on`).toBeGreaterThan(0);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(['service_healthy', 'service_completed_successfully'], `${name} -> ${dependency}`).toContain(condition);
      }
    }
  });
});
