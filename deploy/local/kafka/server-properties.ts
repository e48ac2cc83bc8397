/** server.properties for one KRaft node that is both broker and controller. Pure, so it is unit-tested. */

export interface NodeAddress {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
}

export interface ServerPropertiesInput {
  readonly node: NodeAddress;
  /** Every node of the cluster (the node itself included): they form the controller quorum. */
  readonly cluster: readonly NodeAddress[];
  readonly logDir: string;
  readonly host?: string;
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

export function serverProperties(input: ServerPropertiesInput): string {
  const host = input.host ?? '127.0.0.1';
  const { node, cluster } = input;
  // Internal topics must fit the cluster: with one node, replication factor 1 (otherwise consumer
  // groups never get a coordinator, kafkajs issue 1752); with three, RF 3 and min.insync 2.
  const replication = Math.min(3, cluster.length);
  const minIsr = replication >= 3 ? 2 : 1;
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': cluster.map((n) => `${n.nodeId}@${host}:${n.controllerPort}`).join(','),
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': input.logDir,
    'num.partitions': 1,
    'default.replication.factor': replication,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replication,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 10,
    'share.coordinator.state.topic.replication.factor': replication,
    'share.coordinator.state.topic.min.isr': minIsr,
    // Topics are created explicitly by weir and by tests, never by a typo in a producer.
    'auto.create.topics.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'log.retention.hours': 168,
    'log.segment.bytes': 64 * 1024 * 1024,
    ...input.extra,
  };
  return `${Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n')}\n`;
}

export const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.state.name = state.change.logger
logger.state.level = warn
`;
