/** `npm run kafka:fetch`: fetch and cache the Kafka jars ahead of time (CI does this once). */
import { ensureKafkaDistribution } from './distribution.ts';

const dist = ensureKafkaDistribution();
process.stdout.write(`Apache Kafka ${dist.version}: ${dist.libDir}\n`);
