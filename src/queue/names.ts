// Queue names in one place: the API, the worker and the tests must agree on them.

/** BullMQ queue of diagnostics; its keys live under `{REDIS_PREFIX}:diagnostics:*`. */
export const DIAGNOSTICS_QUEUE = 'diagnostics';
