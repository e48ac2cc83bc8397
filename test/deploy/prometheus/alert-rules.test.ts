/**
 * deploy/prometheus: promtool accepts the config and the rules, every alert carries what an
 * on-call person needs (summary, description, a runbook saying what it means, what to check, what
 * to do), and every alert fires on the history it is written for and stays quiet on a near miss
 * (alert-scenarios.ts, run by `promtool test rules`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertScenarios, type AlertScenario, type ExpectedAlert } from './alert-scenarios.ts';
import { alertRules, prometheusDir, readRuleFiles, type RuleDefinition } from './rule-files.ts';

const PROMTOOL = '/usr/bin/promtool'; // apt's prometheus package; .ci/run installs it

function promtool(args: readonly string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(PROMTOOL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? failed.message}` };
  }
}

/** The annotations Prometheus renders for `expected` from `rule`: labels and $value substituted. */
function renderedAnnotations(rule: RuleDefinition, expected: ExpectedAlert): Record<string, string> {
  const render = (text: string): string => {
    const out = text
      .replace(/\{\{ \$labels\.([a-zA-Z_]+) \}\}/g, (_, name: string) => {
        const value = expected.labels[name];
        if (value === undefined) throw new Error(`${rule.alert}: the annotations use label ${name}, which the expected alert does not have`);
        return value;
      })
      .replace(/\{\{ \$value( \| \w+)? \}\}/g, () => {
        if (expected.value === undefined) throw new Error(`${rule.alert}: the annotations show $value: give the scenario's expected value`);
        return expected.value;
      });
    if (out.includes('{{')) throw new Error(`${rule.alert}: a template this test cannot render: ${out}`);
    return out;
  };
  return Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, render(v)]));
}

/** The rule an expected alert comes from: of those with its name, the one whose labels it has. */
function ruleOf(scenario: AlertScenario, expected: ExpectedAlert): RuleDefinition {
  const candidates = alertRules().filter((r) => r.alert === scenario.alert && Object.entries(r.labels ?? {}).every(([k, v]) => expected.labels[k] === v));
  if (candidates.length === 0) throw new Error(`${scenario.name}: no rule ${scenario.alert} has the labels ${JSON.stringify(expected.labels)}`);
  return candidates[0] as RuleDefinition;
}

function promtoolTest(scenario: AlertScenario): object {
  return {
    interval: '1m',
    name: scenario.name,
    input_series: Object.entries(scenario.series).map(([series, values]) => ({ series, values })),
    alert_rule_test: [
      {
        eval_time: `${scenario.at}m`,
        alertname: scenario.alert,
        exp_alerts: scenario.fires.map((expected) => ({ exp_labels: expected.labels, exp_annotations: renderedAnnotations(ruleOf(scenario, expected), expected) })),
      },
    ],
  };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-promtool-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('deploy/prometheus', () => {
  it('passes promtool check config (which loads every rule file)', () => {
    const { ok, output } = promtool(['check', 'config', path.join(prometheusDir, 'prometheus.yml')]);
    expect(ok, output).toBe(true);
    expect(output).toContain('SUCCESS');
  });

  it('gives every alert a severity, a summary, a description and a runbook', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) {
      expect(['warning', 'critical'], `${rule.alert} severity`).toContain(rule.labels?.['severity']);
      for (const key of ['summary', 'description', 'runbook']) expect(rule.annotations?.[key]?.trim().length ?? 0, `${rule.alert} ${key}`).toBeGreaterThan(20);
      for (const part of ['Means:', 'Check:', 'Do:']) expect(rule.annotations?.['runbook'], `${rule.alert} runbook`).toContain(part);
    }
  });

  it('covers each alert rule with a scenario where it fires and one where it does not', () => {
    for (const file of readRuleFiles()) {
      for (const rule of file.rules.filter((r) => r.alert !== undefined)) {
        const scenarios = alertScenarios.filter((s) => s.alert === rule.alert);
        const fired = scenarios.some((s) => s.fires.some((f) => ruleOf(s, f) === rule || Object.entries(rule.labels ?? {}).every(([k, v]) => f.labels[k] === v)));
        expect(fired, `${rule.alert} (${JSON.stringify(rule.labels)}) in ${path.basename(file.file)}: no scenario fires it`).toBe(true);
        expect(scenarios.some((s) => s.fires.length === 0), `${rule.alert}: no scenario where it stays quiet`).toBe(true);
      }
    }
  });

  it('fires every alert on its scenarios, with its annotations rendered, and no other (promtool test rules)', { timeout: 60_000 }, () => {
    const ruleFiles = readRuleFiles().map((f) => f.file);
    const testFile = path.join(work, 'alerts.test.json'); // JSON is YAML to promtool
    fs.writeFileSync(testFile, JSON.stringify({ rule_files: ruleFiles, evaluation_interval: '1m', tests: alertScenarios.map(promtoolTest) }, null, 2));
    const { ok, output } = promtool(['test', 'rules', testFile]);
    expect(ok, output).toBe(true);
    expect(output).toContain('SUCCESS');
  });
});
