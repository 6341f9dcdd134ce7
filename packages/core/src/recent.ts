/**
 * Bounded memories kept in a Map (insertion order is age): the local engine's checked plans and
 * known Records files, the SQL checker's answers, the site's recently read reports.
 */

/** Sets `key` as the map's newest entry and drops the oldest ones beyond `limit`. */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value as K);
}
