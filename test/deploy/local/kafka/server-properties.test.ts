import { describe, expect, it } from 'vitest';
import { serverProperties } from '../../../../deploy/local/kafka/server-properties.ts';

function parse(text: string): Record<string, string> {
  return Object.fromEntries(text.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

describe('serverProperties', () => {
  const nodes = [
    { nodeId: 1, port: 9092, controllerPort: 9093 },
    { nodeId: 2, port: 9192, controllerPort: 9193 },
    { nodeId: 3, port: 9292, controllerPort: 9293 },
  ];

  it('gives a single node replication factor 1 for internal topics, so groups get a coordinator', () => {
    const props = parse(serverProperties({ node: nodes[0]!, cluster: [nodes[0]!], logDir: '/d' }));
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['transaction.state.log.replication.factor']).toBe('1');
    expect(props['transaction.state.log.min.isr']).toBe('1');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:9093');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
  });

  it('gives a three-node cluster RF 3 and min.insync.replicas 2, with every node a voter', () => {
    const props = parse(serverProperties({ node: nodes[1]!, cluster: nodes, logDir: '/d' }));
    expect(props['node.id']).toBe('2');
    expect(props['default.replication.factor']).toBe('3');
    expect(props['min.insync.replicas']).toBe('2');
    expect(props['transaction.state.log.min.isr']).toBe('2');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9192');
  });

  it('lets callers override any property', () => {
    const props = parse(serverProperties({ node: nodes[0]!, cluster: [nodes[0]!], logDir: '/d', extra: { 'auto.create.topics.enable': true } }));
    expect(props['auto.create.topics.enable']).toBe('true');
  });
});
