/**
 * A run's id as `run-md serve` makes them (a UUID): the server names a run's files after it and
 * refuses to quote anything else back; the served site's live run page asks only for such ids.
 * A module of its own, without Node imports, so the browser's scripts take it too.
 */
export const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
