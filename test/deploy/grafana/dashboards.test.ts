/**
 * deploy/grafana: the dashboards against Grafana's own dashboard schema, as Grafana publishes it
 * on npm (`@grafana/schema`, the TypeScript form of its CUE kinds: `Dashboard`, `Panel`,
 * `VariableModel`, ...), and against the provisioning that loads them: each dashboard's JSON is
 * type-checked by tsc as a literal of the schema's `Dashboard` type (unknown fields, wrong kinds and
 * values outside an enum are errors), then its ids, layout, data sources and variables are checked.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { panelQueries, readDashboards } from './dashboard-files.ts';

const root = new URL('../../../', import.meta.url).pathname;
const dashboards = readDashboards();

// String enums of the schema (FieldColorModeId, ThresholdsMode, ...) take their values in JSON:
// the check maps each enum to the union of its values, recursively, and leaves everything else.
const JSON_OF = `type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;`;

describe('deploy/grafana dashboards', () => {
  // Inside node_modules so that `@grafana/schema` resolves from the checked files.
  const work = fs.mkdtempSync(path.join(root, 'node_modules', '.weir-dashboard-schema-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('type-checks every dashboard against @grafana/schema\'s Dashboard', { timeout: 60_000 }, () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(7);
    for (const d of dashboards) {
      const name = path.basename(d.file, '.json');
      fs.writeFileSync(path.join(work, `${name}.ts`), `import type { Dashboard } from '@grafana/schema';\n${JSON_OF}\nexport const dashboard: Json<Dashboard> = ${JSON.stringify(d.json, null, 2)};\n`);
    }
    fs.writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2024', types: [], skipLibCheck: true }, include: ['*.ts'] }),
    );
    let output = '';
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', path.join(work, 'tsconfig.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      output = `${failed.stdout ?? ''}${failed.stderr ?? ''}` || String(error);
    }
    expect(output, output).toBe('');
  });

  it('gives every dashboard a unique uid and tag, and every panel a unique id and a place on the grid', () => {
    const uids = dashboards.map((d) => d.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const d of dashboards) {
      const panels = d.json.panels;
      expect(new Set(panels.map((p) => p.id)).size, `${d.json.uid}: panel ids`).toBe(panels.length);
      const cells = new Set<string>();
      for (const p of panels) {
        expect(p.gridPos.x + p.gridPos.w, `${d.json.uid} / ${p.title}: past the 24 columns`).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.json.uid} / ${p.title}: overlaps another panel at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  it('points every panel at a provisioned data source and every query variable at a defined one', () => {
    const provisioned = parse(fs.readFileSync(path.join(root, 'deploy/grafana/provisioning/datasources/weir.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    const uidsByType = new Map(provisioned.datasources.map((d) => [d.type, d.uid]));
    expect([...uidsByType.keys()].sort()).toEqual(['grafana-clickhouse-datasource', 'prometheus']);
    for (const d of dashboards) {
      const variables = new Map(d.json.templating.list.map((v) => [v.name, v]));
      for (const v of d.json.templating.list.filter((x) => x.type === 'datasource')) {
        // The datasource variable's default is the provisioned data source of its plugin type.
        expect((v as unknown as { current: { value: string } }).current.value, `${d.json.uid}: $${v.name}`).toBe(uidsByType.get(String(v.query)));
      }
      for (const panel of d.json.panels) {
        for (const ref of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
          if (panel.type === 'row') continue;
          const uid = ref?.uid ?? '';
          const variable = /^\$\{(\w+)\}$/.exec(uid)?.[1];
          expect(variable !== undefined && variables.get(variable)?.type === 'datasource', `${d.json.uid} / ${panel.title}: data source ${uid} is not a datasource variable`).toBe(true);
          expect(String(variables.get(variable ?? '')?.query), `${d.json.uid} / ${panel.title}`).toBe(ref?.type);
        }
      }
      for (const q of panelQueries([d])) {
        for (const [, name] of q.query.matchAll(/\$\{?([a-zA-Z_]\w*)/g)) {
          const builtIn = ['__rate_interval', '__interval', '__range', '__timeFilter'].includes(name as string);
          expect(builtIn || variables.has(name as string), `${q.where}: $${name} is not a variable of the dashboard`).toBe(true);
        }
      }
    }
  });

  it('has a dashboard per stage, the pipeline overview, Kafka lag and the ClickHouse aggregates, all provisioned from one folder', () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['weir-aggregates', 'weir-aggregator', 'weir-gateway', 'weir-kafka-lag', 'weir-overview', 'weir-processor', 'weir-query']);
    const provider = parse(fs.readFileSync(path.join(root, 'deploy/grafana/provisioning/dashboards/weir.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./deploy/grafana/dashboards:${provider.providers[0]?.options.path}:ro`);
  });
});
