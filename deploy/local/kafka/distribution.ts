/**
 * Apache Kafka's jars, fetched from Maven Central by deploy/kafka/pom.xml and cached per version
 * under the cache directory, so the second start needs neither Maven nor the network.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeirError } from '../../../services/shared/errors.ts';

const POM = fileURLToPath(new URL('../../kafka/pom.xml', import.meta.url));
const MIN_JAVA = 17;

export interface KafkaDistribution {
  readonly version: string;
  /** Directory with every jar: the broker, the storage tool and the perf tools. */
  readonly libDir: string;
  /** The java executable to run them with. */
  readonly java: string;
  /** `-cp` value. */
  readonly classpath: string;
}

/** The Kafka version pinned in deploy/kafka/pom.xml. */
export function pinnedKafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${POM}`);
  return match[1];
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEIR_CACHE_DIR) return env.WEIR_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'weir');
}

const INSTALL_JAVA =
  'Install Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) ' +
  'or set JAVA_HOME, or set KAFKA_BROKERS=host:port to use a Kafka broker you already run';

/** The java executable (JAVA_HOME first, then PATH), checked to be Java 17 or newer. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  const java = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new WeirError('DEPENDENCY_MISSING', `the local Kafka broker needs Java, and "${java}" could not be run. ${INSTALL_JAVA}`, {
      cause: probe.error,
      details: { dependency: 'java', tried: java },
    });
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr);
  const major = match?.[1] === '1' ? Number(match[2]) : Number(match?.[1]);
  if (!Number.isFinite(major) || major < MIN_JAVA) {
    throw new WeirError('DEPENDENCY_MISSING', `the local Kafka broker needs Java ${MIN_JAVA}+, found: ${probe.stderr.split('\n')[0]}. ${INSTALL_JAVA}`, {
      details: { dependency: 'java', found: probe.stderr.split('\n')[0] },
    });
  }
  return java;
}

function runMaven(outputDir: string): void {
  const probe = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new WeirError(
      'DEPENDENCY_MISSING',
      'fetching Apache Kafka needs Maven, and "mvn" could not be run. Install it (Debian/Ubuntu: apt-get install maven; ' +
        'macOS: brew install maven), or set KAFKA_BROKERS=host:port to use a Kafka broker you already run',
      { cause: probe.error, details: { dependency: 'mvn' } },
    );
  }
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-Dweir.libs=${outputDir}`],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const fetched = fs.existsSync(outputDir) && fs.readdirSync(outputDir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
  if (result.status !== 0 || !fetched) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new WeirError('DEPENDENCY_MISSING', `Maven could not fetch Apache Kafka from Maven Central (${POM}):\n${output}`, {
      details: { dependency: 'kafka jars' },
    });
  }
}

/** Returns the cached distribution, fetching it first when this version is not cached yet. */
export function ensureKafkaDistribution(options: { cacheDir?: string; env?: NodeJS.ProcessEnv } = {}): KafkaDistribution {
  const env = options.env ?? process.env;
  const java = findJava(env);
  const version = pinnedKafkaVersion();
  const libDir = path.join(options.cacheDir ?? defaultCacheDir(env), `kafka-${version}`, 'libs');
  const marker = path.join(libDir, '.complete');
  if (!fs.existsSync(marker)) {
    // Fetch into a private directory and rename it into place, so concurrent fetches never see half a set.
    const staging = `${libDir}.${process.pid}.${Date.now()}`;
    fs.mkdirSync(staging, { recursive: true });
    try {
      runMaven(staging);
      fs.writeFileSync(path.join(staging, '.complete'), `${version}\n`);
      if (!fs.existsSync(marker)) {
        fs.rmSync(libDir, { recursive: true, force: true }); // a half-copied set from an interrupted fetch
        fs.renameSync(staging, libDir);
      }
    } catch (error) {
      if (!fs.existsSync(marker)) throw error; // else another process finished the same fetch first
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  return Object.freeze({ version, libDir, java, classpath: path.join(libDir, '*') });
}
