/**
 * The common shape of a service's `main.ts`: read and check config (exit 2 with the reason when it
 * is bad), make the root logger and the metrics registry, build the service's component, start it
 * (exit 1 when it cannot), and stop it in order on SIGINT/SIGTERM under a hard timeout.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../config/settings.ts';
import { isWeirError } from '../errors.ts';
import { createLoggerFromConfig, loggingSpec } from '../logging-config.ts';
import type { Logger } from '../logger.ts';
import type { Component } from './component.ts';
import { StopInOrder } from './stop-in-order.ts';
import { stopOnSignals } from './stop-on-signals.ts';

export interface ServiceContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export interface RunServiceOptions<C> {
  /** e.g. "weir-gateway": the logger's name and the prefix of boot errors. */
  readonly name: string;
  /** Reads and checks every setting; throws CONFIG_INVALID naming each bad variable. */
  readonly loadConfig: (env: NodeJS.ProcessEnv) => C;
  readonly build: (context: ServiceContext<C>) => Component;
}

export async function runService<C>(options: RunServiceOptions<C>): Promise<void> {
  let config: C;
  let logging;
  try {
    config = options.loadConfig(process.env);
    logging = loadConfig(loggingSpec('json'), process.env);
  } catch (error) {
    process.stderr.write(`${options.name}: ${isWeirError(error) ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = createLoggerFromConfig(logging, options.name);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const stopper = new StopInOrder(logger);
  stopOnSignals({ logger, stop: () => stopper.stopAll(), hardTimeoutMs: logging.shutdownTimeoutMs });

  const component = options.build({ config, logger, metrics });
  stopper.add(component.name, () => component.stop());
  try {
    await component.start();
  } catch (error) {
    logger.fatal({ err: error }, `${component.name} could not start`);
    await stopper.stopAll().catch(() => undefined);
    process.exit(1);
  }
}
