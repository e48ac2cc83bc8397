/**
 * Series histories for the alert rules in deploy/prometheus/rules/, in promtool's notation
 * (`a+bxN`: N+1 samples from a, adding b per interval of 1 minute), and what each must (or must
 * not) fire at `at`. `value` is how the alert's $value renders in its annotations (Prometheus's
 * humanize functions), chosen by the inputs so that a wrong expression shows up as a wrong value.
 */
export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly value?: string;
}

export interface AlertScenario {
  readonly name: string;
  readonly alert: string;
  readonly series: Readonly<Record<string, string>>;
  /** Minutes after the first sample. */
  readonly at: number;
  /** Empty: the alert must not fire (pending does not count). */
  readonly fires: readonly ExpectedAlert[];
}

const STAGES = ['gateway', 'registry', 'query', 'processor', 'aggregator', 'lag-exporter'] as const;
const PORTS: Record<(typeof STAGES)[number], number> = { gateway: 8080, registry: 8081, query: 8082, processor: 8083, aggregator: 8084, 'lag-exporter': 8085 };
const upSeries = (except: string, values = '1x20'): Record<string, string> =>
  Object.fromEntries(STAGES.filter((s) => s !== except).map((s) => [`up{job="${s}", instance="${s}-1:${PORTS[s]}"}`, values]));

const lag = (group: string) => `{group="${group}", topic="weir.raw.page_view", partition="0"}`;
const W = { severity: 'warning' } as const;
const C = { severity: 'critical' } as const;

export const alertScenarios: readonly AlertScenario[] = [
  {
    name: 'a processor that stops answering scrapes',
    alert: 'WeirStageDown',
    series: { ...upSeries('processor'), 'up{job="processor", instance="processor-1:8083"}': '1 1 0 0 0 0' },
    at: 5,
    fires: [{ labels: { ...C, job: 'processor', instance: 'processor-1:8083' } }],
  },
  {
    name: 'a processor down for less than the for-duration',
    alert: 'WeirStageDown',
    series: { ...upSeries('processor'), 'up{job="processor", instance="processor-1:8083"}': '1 1 1 1 1 0' },
    at: 5,
    fires: [],
  },
  ...STAGES.map((stage): AlertScenario => ({
    name: `no ${stage} target at all`,
    alert: 'WeirStageAbsent',
    series: upSeries(stage),
    at: 10,
    fires: [{ labels: { ...C, job: stage, stage } }],
  })),
  { name: 'every stage scraped', alert: 'WeirStageAbsent', series: upSeries(''), at: 10, fires: [] },
  {
    name: 'lag rising by one record a second',
    alert: 'WeirConsumerLagGrowing',
    series: { [`weir_consumer_group_lag_offsets${lag('weir-processor')}`]: '1000+60x40' },
    at: 30,
    fires: [{ labels: { ...W, group: 'weir-processor', topic: 'weir.raw.page_view' }, value: '1' }],
  },
  {
    name: 'lag high but flat',
    alert: 'WeirConsumerLagGrowing',
    series: { [`weir_consumer_group_lag_offsets${lag('weir-processor')}`]: '5000x40' },
    at: 30,
    fires: [],
  },
  {
    name: 'a group 100 s behind',
    alert: 'WeirConsumerLagHigh',
    series: { [`weir_consumer_group_lag_seconds${lag('weir-aggregator')}`]: '100x10', [`weir_consumer_group_lag_seconds{group="weir-aggregator", topic="weir.raw.page_view", partition="1"}`]: '2x10' },
    at: 10,
    fires: [{ labels: { ...W, group: 'weir-aggregator', topic: 'weir.raw.page_view' }, value: '1m 40s' }],
  },
  { name: 'a group 30 s behind', alert: 'WeirConsumerLagHigh', series: { [`weir_consumer_group_lag_seconds${lag('weir-aggregator')}`]: '30x10' }, at: 10, fires: [] },
  {
    name: 'a group 700 s behind',
    alert: 'WeirConsumerLagCritical',
    series: { [`weir_consumer_group_lag_seconds${lag('weir-processor')}`]: '700x10' },
    at: 10,
    fires: [{ labels: { ...C, group: 'weir-processor', topic: 'weir.raw.page_view' }, value: '11m 40s' }],
  },
  { name: 'a group 100 s behind (not critical)', alert: 'WeirConsumerLagCritical', series: { [`weir_consumer_group_lag_seconds${lag('weir-processor')}`]: '100x10' }, at: 10, fires: [] },
  {
    name: 'a group with lag and no members',
    alert: 'WeirConsumerGroupEmpty',
    series: { 'weir_consumer_group_members{group="weir-aggregator"}': '0x10', [`weir_consumer_group_lag_offsets${lag('weir-aggregator')}`]: '50x10' },
    at: 10,
    fires: [{ labels: { ...C, group: 'weir-aggregator' } }],
  },
  {
    name: 'a group with lag and a member',
    alert: 'WeirConsumerGroupEmpty',
    series: { 'weir_consumer_group_members{group="weir-aggregator"}': '1x10', [`weir_consumer_group_lag_offsets${lag('weir-aggregator')}`]: '50x10' },
    at: 10,
    fires: [],
  },
  {
    name: 'intake stops after an hour of traffic',
    alert: 'WeirNoEventsAccepted',
    series: { 'weir_gateway_events_accepted_total{type="page_view", instance="g1"}': '0+100x60 6000x30' },
    at: 85,
    fires: [{ labels: C }],
  },
  { name: 'intake goes on', alert: 'WeirNoEventsAccepted', series: { 'weir_gateway_events_accepted_total{type="page_view", instance="g1"}': '0+100x90' }, at: 85, fires: [] },
  { name: 'no traffic ever (nothing expected)', alert: 'WeirNoEventsAccepted', series: { 'weir_gateway_events_accepted_total{type="page_view", instance="g1"}': '0x90' }, at: 85, fires: [] },
  {
    name: 'processors stop consuming purchases',
    alert: 'WeirProcessorStalled',
    series: { 'weir_gateway_events_accepted_total{type="purchase"}': '0+10x30', 'weir_processor_consumed_total{type="purchase"}': '0+10x10 100x20' },
    at: 30,
    fires: [{ labels: { ...C, type: 'purchase' } }],
  },
  {
    name: 'no processor ever consumed the type',
    alert: 'WeirProcessorStalled',
    series: { 'weir_gateway_events_accepted_total{type="purchase"}': '0+10x30' },
    at: 30,
    fires: [{ labels: { ...C, type: 'purchase' } }],
  },
  {
    name: 'processors keep up',
    alert: 'WeirProcessorStalled',
    series: { 'weir_gateway_events_accepted_total{type="purchase"}': '0+10x30', 'weir_processor_consumed_total{type="purchase"}': '0+10x30' },
    at: 30,
    fires: [],
  },
  {
    name: 'aggregators stop folding page views',
    alert: 'WeirAggregatorStalled',
    series: { 'weir_processor_published_total{type="page_view"}': '0+10x30', 'weir_aggregator_events_total{type="page_view"}': '0+10x10 100x20' },
    at: 30,
    fires: [{ labels: { ...C, type: 'page_view' } }],
  },
  {
    name: 'aggregators keep up',
    alert: 'WeirAggregatorStalled',
    series: { 'weir_processor_published_total{type="page_view"}': '0+10x30', 'weir_aggregator_events_total{type="page_view"}': '0+10x30' },
    at: 30,
    fires: [],
  },
  {
    name: 'one record in ten dead-lettered',
    alert: 'WeirDeadLetterRateHigh',
    series: { 'weir_processor_consumed_total{type="page_view"}': '0+600x20', 'weir_processor_dead_lettered_total{type="page_view", reason="pattern"}': '0+60x20' },
    at: 15,
    fires: [{ labels: { ...W, type: 'page_view' }, value: '10%' }],
  },
  {
    name: 'one record in a hundred dead-lettered',
    alert: 'WeirDeadLetterRateHigh',
    series: { 'weir_processor_consumed_total{type="page_view"}': '0+600x20', 'weir_processor_dead_lettered_total{type="page_view", reason="pattern"}': '0+6x20' },
    at: 15,
    fires: [],
  },
  {
    name: 'one event in ten late',
    alert: 'WeirLateEventsHigh',
    series: { 'weir_aggregator_events_total{type="page_view"}': '0+540x30', 'weir_aggregator_late_events_total{type="page_view", action="dead_letter"}': '0+60x30' },
    at: 25,
    fires: [{ labels: { ...W, type: 'page_view' }, value: '10%' }],
  },
  {
    name: 'a few late events',
    alert: 'WeirLateEventsHigh',
    series: { 'weir_aggregator_events_total{type="page_view"}': '0+600x30', 'weir_aggregator_late_events_total{type="page_view", action="dead_letter"}': '0+1x30' },
    at: 25,
    fires: [],
  },
  {
    name: 'fifty accepted events a minute never processed',
    alert: 'WeirReconciliationMismatch',
    series: {
      'weir_gateway_events_accepted_total{type="purchase"}': '0+1000x90',
      'weir_processor_published_total{type="purchase"}': '0+900x90',
      'weir_processor_dead_lettered_total{type="purchase", reason="out_of_range"}': '0+50x90',
      'weir_aggregator_events_total{type="purchase"}': '0+900x90',
    },
    at: 80,
    fires: [{ labels: { ...W, stage: 'processor', type: 'purchase' }, value: '3k' }],
  },
  {
    name: 'fifty clean events a minute never aggregated',
    alert: 'WeirReconciliationMismatch',
    series: {
      'weir_gateway_events_accepted_total{type="purchase"}': '0+1000x90',
      'weir_processor_published_total{type="purchase"}': '0+950x90',
      'weir_processor_dropped_total{type="purchase", reason="duplicate"}': '0+50x90',
      'weir_aggregator_events_total{type="purchase"}': '0+820x90',
      'weir_aggregator_late_events_total{type="purchase", action="dead_letter"}': '0+50x90',
      'weir_aggregator_late_events_total{type="purchase", action="corrected"}': '0+30x90',
    },
    at: 80,
    fires: [{ labels: { ...W, stage: 'aggregator', type: 'purchase' }, value: '3k' }],
  },
  {
    name: 'every event accounted for',
    alert: 'WeirReconciliationMismatch',
    series: {
      'weir_gateway_events_accepted_total{type="purchase"}': '0+1000x90',
      'weir_processor_published_total{type="purchase"}': '0+900x90',
      'weir_processor_dead_lettered_total{type="purchase", reason="out_of_range"}': '0+60x90',
      'weir_processor_dropped_total{type="purchase", reason="duplicate"}': '0+40x90',
      'weir_aggregator_events_total{type="purchase"}': '0+860x90',
      'weir_aggregator_late_events_total{type="purchase", action="dead_letter"}': '0+20x90',
      'weir_aggregator_late_events_total{type="purchase", action="corrected"}': '0+10x90',
      'weir_aggregator_undecodable_total{type="purchase"}': '0+10x90',
    },
    at: 80,
    fires: [],
  },
  {
    name: 'gateways answering 503 once a second',
    alert: 'WeirGatewayUnavailable',
    series: { 'weir_gateway_requests_refused_total{code="UNAVAILABLE", instance="g1"}': '0+60x20', 'weir_gateway_requests_refused_total{code="UNAUTHENTICATED", instance="g1"}': '0+600x20' },
    at: 15,
    fires: [{ labels: C, value: '1' }],
  },
  {
    name: 'gateways refusing bad keys only',
    alert: 'WeirGatewayUnavailable',
    series: { 'weir_gateway_requests_refused_total{code="UNAUTHENTICATED", instance="g1"}': '0+600x20' },
    at: 15,
    fires: [],
  },
  {
    name: 'processor batches retried for 20 minutes',
    alert: 'WeirProcessorRetrying',
    series: { 'weir_processor_batch_retries_total{type="purchase", instance="p1"}': '0+6x30' },
    at: 25,
    fires: [{ labels: { ...W, type: 'purchase' } }],
  },
  { name: 'one retry long ago', alert: 'WeirProcessorRetrying', series: { 'weir_processor_batch_retries_total{type="purchase", instance="p1"}': '0 1x30' }, at: 25, fires: [] },
  {
    name: 'two failed flushes a minute',
    alert: 'WeirClickHouseInsertErrors',
    series: { 'weir_aggregator_insert_errors_total{type="api_request"}': '0+2x20', 'weir_aggregator_flush_rows_total{type="api_request"}': '0+100x20' },
    at: 15,
    fires: [{ labels: { ...W, type: 'api_request' }, value: '10' }],
  },
  {
    name: 'one failed flush long ago',
    alert: 'WeirClickHouseInsertErrors',
    series: { 'weir_aggregator_insert_errors_total{type="api_request"}': '0 1x20', 'weir_aggregator_flush_rows_total{type="api_request"}': '0+100x20' },
    at: 15,
    fires: [],
  },
  {
    name: 'every flush failing',
    alert: 'WeirClickHouseInsertsFailing',
    series: { 'weir_aggregator_insert_errors_total{type="api_request"}': '0+2x20', 'weir_aggregator_flush_rows_total{type="api_request"}': '0+100x5 500x15' },
    at: 15,
    fires: [{ labels: { ...C, type: 'api_request' } }],
  },
  {
    name: 'some flushes failing, some succeeding',
    alert: 'WeirClickHouseInsertsFailing',
    series: { 'weir_aggregator_insert_errors_total{type="api_request"}': '0+2x20', 'weir_aggregator_flush_rows_total{type="api_request"}': '0+100x20' },
    at: 15,
    fires: [],
  },
  {
    name: 'aggregates five minutes old while events flow',
    alert: 'WeirAggregatesStale',
    series: { 'weir_aggregator_freshness_seconds{type="page_view", instance="a1"}': '300x30', 'weir_aggregator_events_total{type="page_view", instance="a1"}': '0+60x30' },
    at: 25,
    fires: [{ labels: { ...W, type: 'page_view' }, value: '5m 0s' }],
  },
  {
    name: 'old aggregates, no traffic',
    alert: 'WeirAggregatesStale',
    series: { 'weir_aggregator_freshness_seconds{type="page_view", instance="a1"}': '300x30', 'weir_aggregator_events_total{type="page_view", instance="a1"}': '600x30' },
    at: 25,
    fires: [],
  },
  {
    name: 'the query API getting ClickHouse errors',
    alert: 'WeirQueryClickHouseErrors',
    series: { 'weir_query_clickhouse_errors_total{instance="q1"}': '0+60x20' },
    at: 15,
    fires: [{ labels: W, value: '1' }],
  },
  { name: 'the query API without errors', alert: 'WeirQueryClickHouseErrors', series: { 'weir_query_clickhouse_errors_total{instance="q1"}': '0x20' }, at: 15, fires: [] },
];
