/** `weir schemas`: the event schemas in schemas/events and the registry that serves them. */
import { createCommandGroup } from '../command.ts';
import { schemasCheckCommand } from './schemas-check.ts';
import { schemasCodegenCommand } from './schemas-codegen.ts';
import { schemasListCommand } from './schemas-list.ts';
import { schemasRegisterCommand } from './schemas-register.ts';

export const schemasCommand = createCommandGroup({
  name: 'schemas',
  summary: 'Register, check and list the Avro event schemas',
  description: [
    'The event schemas are Avro files, <dir>/<type>.avsc (schemas/events by default). Each registers',
    'with the schema registry under the subject weir.raw.<type>-value: the values of the raw topic',
    'weir.raw.<type>. See schemas/README.md for how to add an event type and evolve one safely.',
  ],
  commands: [schemasListCommand, schemasRegisterCommand, schemasCheckCommand, schemasCodegenCommand],
});
