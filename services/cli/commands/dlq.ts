/** `weir dlq`: the processor's dead-letter topics, read and replayed. */
import { createCommandGroup } from '../command.ts';
import { dlqListCommand } from './dlq-list.ts';
import { dlqReplayCommand } from './dlq-replay.ts';
import { dlqShowCommand } from './dlq-show.ts';

export const dlqCommand = createCommandGroup({
  name: 'dlq',
  summary: 'List, show and replay dead letters',
  description: [
    'The processor puts each event it cannot publish in weir.dlq.<type>, with its original bytes and headers',
    'saying why (reason, stage, field, message, source offset). Fix the rule or schema, then replay.',
  ],
  commands: [dlqListCommand, dlqShowCommand, dlqReplayCommand],
});
