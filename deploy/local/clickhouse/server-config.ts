/** Config files for a ClickHouse server whose every path and port lives in one directory. Pure. */

export interface ServerConfigInput {
  readonly dir: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** Max memory per query, bytes (default 2 GB). */
  readonly maxMemoryUsage?: number;
}

// `<yandex>` is the root element ClickHouse 18.x reads; later versions accept it as an alias.
export function serverConfigXml(input: ServerConfigInput): string {
  const d = input.dir.replace(/\/$/, '');
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${d}/log/server.log</log>
    <errorlog>${d}/log/server.err.log</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <http_port>${input.httpPort}</http_port>
  <tcp_port>${input.tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>134217728</mark_cache_size>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

export function usersXml(input: ServerConfigInput): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>${input.maxMemoryUsage ?? 2_000_000_000}</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}
