/** The metrics store and the small pure helpers others reuse. */
export { MetricsStore, type MetricsOptions } from './store.js';
export { wilsonInterval } from './wilson.js';
export { percentilesOf, nearestRank, type PercentileFigures } from './percentiles.js';
export { latencyValuesOf, meetsSlo, LATENCY_METRICS, type SloTargets } from './latency-values.js';
export { HDR_SIGNIFICANT_DIGITS } from './hdr.js';
export type * from './snapshot.js';
