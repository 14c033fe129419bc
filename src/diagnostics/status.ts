// A check's outcome. Kept apart from types.ts so that the code catalogue can name severities
// without importing the whole result model (and the model imports the catalogue).

/** Ordered from best to worst so that a summary is a fold (max). */
export const CHECK_STATUSES = ['pass', 'skipped', 'warn', 'error', 'fail'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
