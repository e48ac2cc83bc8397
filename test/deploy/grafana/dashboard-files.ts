/**
 * The Grafana dashboards in deploy/grafana/dashboards/, read as data: every panel target with its
 * query (PromQL or ClickHouse SQL), legend and place, every template variable, and the
 * substitutions a test makes where Grafana would put the variables' values.
 */
import fs from 'node:fs';
import path from 'node:path';

export const dashboardsDir = new URL('../../../deploy/grafana/dashboards/', import.meta.url).pathname;

interface Target {
  readonly refId: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly rawSql?: string;
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
}

export interface TemplateVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query?: string };
  readonly allValue?: string;
}

export interface DashboardFile {
  readonly file: string;
  readonly json: { readonly uid: string; readonly title: string; readonly panels: readonly Panel[]; readonly templating: { readonly list: readonly TemplateVariable[] } };
}

export interface PanelQuery {
  /** "weir-overview.json / Events through each stage / C". */
  readonly where: string;
  readonly panel: string;
  readonly kind: 'prometheus' | 'clickhouse';
  readonly query: string;
  readonly legendFormat: string;
}

export function readDashboards(): DashboardFile[] {
  return fs
    .readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: path.join(dashboardsDir, f), json: JSON.parse(fs.readFileSync(path.join(dashboardsDir, f), 'utf8')) as DashboardFile['json'] }));
}

export function panelQueries(dashboards: readonly DashboardFile[] = readDashboards()): PanelQuery[] {
  return dashboards.flatMap((d) =>
    d.json.panels.flatMap((p) =>
      (p.targets ?? []).map((t): PanelQuery => {
        const type = t.datasource?.type ?? p.datasource?.type;
        const where = `${path.basename(d.file)} / ${p.title} / ${t.refId}`;
        if (type === 'prometheus' && t.expr !== undefined) return { where, panel: p.title, kind: 'prometheus', query: t.expr, legendFormat: t.legendFormat ?? '' };
        if (type === 'grafana-clickhouse-datasource' && t.rawSql !== undefined) return { where, panel: p.title, kind: 'clickhouse', query: t.rawSql, legendFormat: '' };
        throw new Error(`${where}: a target with neither a Prometheus expr nor ClickHouse rawSql (datasource ${String(type)})`);
      }),
    ),
  );
}

/** The PromQL of a query variable (`label_values(<selector>, <label>)`), split for /api/v1/label/<label>/values. */
export function labelValuesQuery(variable: TemplateVariable): { selector: string; label: string } | undefined {
  const text = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text ?? '');
  return match ? { selector: match[1] as string, label: match[2] as string } : undefined;
}

/**
 * Puts values where Grafana would: `$name`/`${name}` of the dashboard's variables from `values`,
 * and Grafana's built-in interval variables. Throws on a variable left over.
 */
export function substitute(query: string, values: Readonly<Record<string, string>>): string {
  const builtIn: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '10m' };
  const out = query.replace(/\$\{?(__rate_interval|__interval|__range|[a-z][a-zA-Z0-9_]*)\}?/g, (whole, name: string) => {
    const value = builtIn[name] ?? values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in: ${query}`);
    return value;
  });
  return out;
}

/** The labels a legend shows (`{{type}} {{reason}}`): each must be on every series the query returns. */
export function legendLabels(legendFormat: string): string[] {
  return [...legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string);
}

/**
 * The vector selectors of a PromQL expression (weir's metrics, the process metrics every service
 * exports, `up`, and the recording rules), with their label matchers: each should select series.
 */
export function selectorsOf(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, (s) => s.replace(/[a-z_]/gi, 'x'));
  const found = new Set<string>();
  for (const match of withoutStrings.matchAll(/\b((?:weir_|process_|nodejs_|type_outcome:)[a-zA-Z0-9_:]*|up)\b(\s*\{[^}]*\})?/g)) {
    const start = match.index;
    found.add(expr.slice(start, start + match[0].length).replace(/\s+\{/, '{'));
  }
  return [...found];
}
