import { inject } from 'vitest';
import { connect, type Graph } from '../../graph/driver.ts';

export function testConnection() {
  const n = inject('neo4j');
  return { uri: n.uri, user: n.user, password: n.password, database: n.database };
}

export function testGraph(): Graph {
  return connect(testConnection(), { maxConnectionPoolSize: 16 });
}
