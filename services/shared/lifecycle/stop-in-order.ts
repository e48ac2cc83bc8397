import type { Logger } from '../logger.ts';

/**
 * Remembers what was started and stops it in reverse order: the last thing started (the one that
 * depends on the others) stops first. Every stop runs even when an earlier one fails; the
 * failures are thrown together at the end. Calling `stopAll` again returns the same promise.
 */
export class StopInOrder {
  readonly #steps: { name: string; stop: () => Promise<unknown> }[] = [];
  readonly #logger: Logger;
  #stopping: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(name: string, stop: () => Promise<unknown>): void {
    this.#steps.push({ name, stop });
  }

  stopAll(): Promise<void> {
    this.#stopping ??= this.#run();
    return this.#stopping;
  }

  async #run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      const started = Date.now();
      try {
        await step.stop();
        this.#logger.info({ step: step.name, ms: Date.now() - started }, 'stopped');
      } catch (error) {
        this.#logger.error({ step: step.name, err: error }, 'stop failed');
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} component(s) failed to stop`);
  }
}
