/** The stream processor as its own OS process (`node services/processor/main.ts`), for crash and rebalance tests. */
import { TEST_PII_SECRET } from './processor.ts';
import { startServiceProcess, type ServiceProcess } from './service-process.ts';

export interface ProcessorProcessOptions {
  readonly registryUrl: string;
  readonly pipelinesDir: string;
  readonly groupId: string;
  /** For the log file's name and error messages: "processor 2". */
  readonly name: string;
  /** More WEIR_* settings, e.g. WEIR_PROCESSOR_SESSION_TIMEOUT_MS. */
  readonly env?: Readonly<Record<string, string>>;
}

export type ProcessorProcess = ServiceProcess;

/** Starts a processor process (SIGKILLed on cleanup if still running). */
export function startProcessorProcess(options: ProcessorProcessOptions): Promise<ProcessorProcess> {
  return startServiceProcess({
    main: 'services/processor/main.ts',
    httpPrefix: 'WEIR_PROCESSOR',
    name: options.name,
    env: {
      WEIR_REGISTRY_URL: options.registryUrl,
      WEIR_PIPELINES_DIR: options.pipelinesDir,
      WEIR_PROCESSOR_GROUP_ID: options.groupId,
      WEIR_PII_SECRET: TEST_PII_SECRET,
      ...options.env,
    },
  });
}
