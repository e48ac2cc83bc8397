/**
 * Real Apache Kafka brokers as child processes: one node, or a three-node cluster (replication
 * factor 3, min.insync.replicas 2) for failover tests. Each node is a combined KRaft
 * broker+controller JVM with a small heap. `startLocalKafka` resolves once every node serves
 * metadata; `stop()` shuts the nodes down and waits for them to exit.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { WeirError } from '../../../services/shared/errors.ts';
import type { Logger } from '../../../services/shared/logger.ts';
import { startChild, type ManagedChild } from '../child-process.ts';
import { freePort } from '../free-port.ts';
import { ensureKafkaDistribution, type KafkaDistribution } from './distribution.ts';
import { LOG4J2_PROPERTIES, serverProperties, type NodeAddress } from './server-properties.ts';

export interface LocalKafkaOptions {
  /** 1 (default) or 3. */
  nodes?: 1 | 3;
  /** Where data and logs live. Reused when it already holds a cluster. Default: a fresh temp dir, removed on stop. */
  dir?: string;
  /** Client port of node 1 (default: a free port). Other ports are picked free and remembered in `dir`. */
  port?: number;
  /** Max heap per JVM, MiB (default 512). */
  heapMb?: number;
  /** How long to wait for every node to serve metadata, ms (default 90 s). */
  startupTimeoutMs?: number;
  cacheDir?: string;
  logger?: Logger;
}

export interface LocalKafkaNode extends NodeAddress {
  readonly address: string;
  readonly running: boolean;
  /** The JVM's pid while it runs. */
  readonly pid: number | undefined;
  /** Hard kill (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the node again after a kill or stop, with the same data; resolves once it serves metadata. */
  restart(): Promise<void>;
  logTail(lines?: number): string;
}

export interface LocalKafka {
  readonly brokers: readonly string[];
  readonly nodes: readonly LocalKafkaNode[];
  readonly version: string;
  readonly dir: string;
  stop(): Promise<void>;
}

interface ClusterState {
  clusterId: string;
  nodes: NodeAddress[];
}

const STATE_FILE = 'weir-local-kafka.json';

async function freshAddresses(count: number, port: number | undefined): Promise<NodeAddress[]> {
  const nodes: NodeAddress[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push({ nodeId: i + 1, port: i === 0 && port !== undefined ? port : await freePort(), controllerPort: await freePort() });
  }
  return nodes;
}

/** The cluster kept in `dir`, or a new one; `fresh` when this call made it (so its ports may still change). */
async function planCluster(dir: string, count: number, port: number | undefined): Promise<{ state: ClusterState; fresh: boolean }> {
  const file = path.join(dir, STATE_FILE);
  if (fs.existsSync(file)) {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState;
    if (state.nodes.length === count) {
      if (port !== undefined && state.nodes[0]) state.nodes[0] = { ...state.nodes[0], port };
      return { state, fresh: false };
    }
  }
  const state = { clusterId: randomClusterId(), nodes: await freshAddresses(count, port) };
  fs.writeFileSync(file, JSON.stringify(state, null, 2));
  return { state, fresh: true };
}

/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64 without padding, not starting with '-'
 * (as Kafka's own Uuid.randomUuid), which `kafka-storage format -t` would read as an option: one
 * id in 64 did, and the format failed ("argument --cluster-id/-t: expected one argument").
 */
export function randomClusterId(random: () => Buffer = () => crypto.randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A port picked free a moment ago can be taken by another process before the JVM binds it. */
function lostPortRace(error: unknown): boolean {
  return error instanceof WeirError && error.code === 'PROCESS_EXITED' && /Address already in use|BindException/.test(error.message);
}

function jvmArgs(dist: KafkaDistribution, nodeDir: string, heapMb: number, mainClass: string, args: string[]): string[] {
  return [
    '-Xms64m',
    `-Xmx${heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(nodeDir, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${nodeDir}`,
    '-cp',
    dist.classpath,
    mainClass,
    ...args,
  ];
}

function formatStorage(dist: KafkaDistribution, nodeDir: string, clusterId: string): void {
  if (fs.existsSync(path.join(nodeDir, 'data', 'meta.properties'))) return;
  const result = spawnSync(
    dist.java,
    jvmArgs(dist, nodeDir, 256, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', path.join(nodeDir, 'server.properties'), '--ignore-formatted']),
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new WeirError('PROCESS_EXITED', `formatting Kafka storage in ${nodeDir} failed:\n${(result.stdout + result.stderr).trim().slice(-2000)}`, {
      details: { dir: nodeDir },
    });
  }
}

/** Resolves once `brokers` report `expectedNodes` live brokers; rejects when `failed` settles first or time runs out. */
async function awaitMetadata(brokers: string[], expectedNodes: number, timeoutMs: number, failed: Promise<Error>): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'weir-local-kafka-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let failure: Error | undefined;
  void failed.then((error) => (failure = error));
  while (Date.now() < deadline) {
    if (failure) throw failure;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length >= expectedNodes && cluster.controller !== null) return;
      lastError = new Error(`${cluster.brokers.length}/${expectedNodes} brokers registered`);
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new WeirError('STARTUP_TIMEOUT', `Kafka at ${brokers.join(',')} did not serve metadata within ${timeoutMs} ms: ${String(lastError)}`, {
    cause: lastError,
  });
}

export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const count = options.nodes ?? 1;
  const heapMb = options.heapMb ?? 512;
  const timeoutMs = options.startupTimeoutMs ?? 90_000;
  const dist = ensureKafkaDistribution(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir });
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'weir-kafka-'));
  fs.mkdirSync(dir, { recursive: true });
  const planned = await planCluster(dir, count, options.port);
  let state = planned.state;
  const log = options.logger?.child({ component: 'local-kafka' });

  const children = new Map<number, ManagedChild>();
  const nodeDir = (n: NodeAddress) => path.join(dir, `node-${n.nodeId}`);
  const writeConfigs = (): void => {
    for (const n of state.nodes) {
      fs.mkdirSync(nodeDir(n), { recursive: true });
      fs.writeFileSync(path.join(nodeDir(n), 'log4j2.properties'), LOG4J2_PROPERTIES);
      fs.writeFileSync(
        path.join(nodeDir(n), 'server.properties'),
        serverProperties({ node: n, cluster: state.nodes, logDir: path.join(nodeDir(n), 'data') }),
      );
    }
  };

  const launch = (n: NodeAddress): ManagedChild => {
    const child = startChild({
      name: `kafka node ${n.nodeId}`,
      command: dist.java,
      args: jvmArgs(dist, nodeDir(n), heapMb, 'kafka.Kafka', [path.join(nodeDir(n), 'server.properties')]),
      logFile: path.join(nodeDir(n), 'server.log'),
    });
    children.set(n.nodeId, child);
    log?.info({ nodeId: n.nodeId, port: n.port, pid: child.pid }, 'kafka node started');
    return child;
  };
  const exitedEarly = (child: ManagedChild): Promise<Error> =>
    child.exited.then(
      ({ code, signal }) =>
        new WeirError('PROCESS_EXITED', `${child.name} exited (code ${code}, signal ${signal}) before it served metadata. Its log (${child.logFile}) ends:\n${child.logTail()}`, {
          details: { logFile: child.logFile },
        }),
    );
  const stopChildren = () => Promise.all([...children.values()].map((c) => c.stop(15_000)));
  const stopAll = async (): Promise<void> => {
    await stopChildren();
    if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
  };

  let brokers: string[] = [];
  for (let attempt = 1; ; attempt++) {
    writeConfigs();
    await Promise.all(state.nodes.map(async (n) => formatStorage(dist, nodeDir(n), state.clusterId)));
    brokers = state.nodes.map((n) => `127.0.0.1:${n.port}`);
    try {
      const started = state.nodes.map(launch);
      await awaitMetadata(brokers, count, timeoutMs, Promise.race(started.map(exitedEarly)));
      break;
    } catch (error) {
      await stopChildren();
      if (planned.fresh && attempt < 3 && lostPortRace(error)) {
        log?.warn({ attempt }, 'a port was taken before the broker bound it; trying other ports');
        // Never served anything: start its storage over, so no quorum state remembers the old ports.
        for (const n of state.nodes) fs.rmSync(path.join(nodeDir(n), 'data'), { recursive: true, force: true });
        state = { ...state, nodes: await freshAddresses(count, options.port) };
        fs.writeFileSync(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2));
        continue;
      }
      if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
  log?.info({ brokers, version: dist.version, dir }, 'kafka ready');

  const nodes: LocalKafkaNode[] = state.nodes.map((n) => ({
    ...n,
    address: `127.0.0.1:${n.port}`,
    get running() {
      return children.get(n.nodeId)?.running ?? false;
    },
    get pid() {
      const child = children.get(n.nodeId);
      return child?.running ? child.pid : undefined;
    },
    kill: async () => children.get(n.nodeId)?.kill(),
    restart: async () => {
      await children.get(n.nodeId)?.stop();
      const child = launch(n);
      await awaitMetadata([`127.0.0.1:${n.port}`], 1, timeoutMs, exitedEarly(child));
    },
    logTail: (lines?: number) => children.get(n.nodeId)?.logTail(lines) ?? '',
  }));

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    nodes,
    version: dist.version,
    dir,
    stop: () => (stopping ??= stopAll()),
  };
}
