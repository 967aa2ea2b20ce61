/**
 * Sets `key` as the most recent entry of an insertion-ordered map and drops the oldest beyond `max`:
 * the bounded, least-recently-set memory the service keeps per experiment.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): V {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
  return value;
}
