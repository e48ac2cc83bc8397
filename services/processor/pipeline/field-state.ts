/**
 * The record's fields as the transforms change them, one transform at a time, so that each is
 * checked against the fields that exist at its point, and the last state is the output schema.
 * It remembers what happened to fields that are gone, to say so when a later transform names one.
 */
import type { PipelineField } from './field-shape.ts';
import type { Report } from './pipeline-errors.ts';

export class FieldState {
  readonly #fields: PipelineField[];
  readonly #gone = new Map<string, string>();

  constructor(fields: readonly PipelineField[]) {
    this.#fields = [...fields];
  }

  list(): readonly PipelineField[] {
    return this.#fields;
  }

  get(name: string): PipelineField | undefined {
    return this.#fields.find((f) => f.name === name);
  }

  /** The field, or a problem at `at` saying it does not exist (any more). */
  need(name: string, at: string, report: Report): PipelineField | undefined {
    const field = this.get(name);
    if (field !== undefined) return field;
    const fate = this.#gone.get(name);
    const known = this.#fields.map((f) => f.name).join(', ');
    report(at, fate === undefined ? `there is no field "${name}" here; the fields are ${known}` : `field "${name}" no longer exists here: it was ${fate}`);
    return undefined;
  }

  /** True when `name` is free for a new field; otherwise reports at `at`. */
  free(name: string, at: string, report: Report): boolean {
    if (this.get(name) === undefined) return true;
    report(at, `a field named "${name}" already exists here; drop or rename it first, or pick another name`);
    return false;
  }

  replace(field: PipelineField): void {
    const i = this.#fields.findIndex((f) => f.name === field.name);
    this.#fields[i] = field;
  }

  rename(from: string, to: PipelineField, at: string): void {
    const i = this.#fields.findIndex((f) => f.name === from);
    this.#fields[i] = to;
    this.#gone.set(from, `renamed to "${to.name}" at ${at}`);
    this.#gone.delete(to.name);
  }

  drop(name: string, at: string): void {
    this.#fields.splice(this.#fields.findIndex((f) => f.name === name), 1);
    this.#gone.set(name, `dropped at ${at}`);
  }

  add(field: PipelineField): void {
    this.#fields.push(field);
    this.#gone.delete(field.name);
  }
}
