/**
 * Shape checks for session log events, so that every reader (report, replay, compare,
 * the replay screen) can skip a malformed line instead of failing deep inside the
 * metrics on a missing field. Each event type lists the fields its consumers read;
 * optional fields are checked only when present. Unknown extra fields are kept (newer
 * writers may add some); an event type without a spec needs only `type` and `t`.
 */
type Check = (value: unknown) => boolean;


const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const slot: Check = (v) => v === 'A' || v === 'B';
function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const listOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const load: Check = (v) => obj(v) && ((v.mode === 'closed' && num(v.concurrency)) || (v.mode === 'open' && num(v.rate)));

/** `name` required, `name?` checked only when present. */
type Spec = Record<string, Check>;

function matches(value: unknown, spec: Spec): boolean {
  if (!obj(value)) return false;
  for (const [key, check] of Object.entries(spec)) {
    const optional = key.endsWith('?');
    const field = value[optional ? key.slice(0, -1) : key];
    if (field === undefined && optional) continue;
    if (!check(field)) return false;
  }
  return true;
}

const shaped =
  (spec: Spec): Check =>
  (v) =>
    matches(v, spec);

const record = shaped({
  id: str, seq: num, questionId: str, model: slot, policy: str, segment: num, warmup: bool,
  tIssued: num, tEnqueued: num, tDone: num, promptTokens: num, contextTrimmed: bool, outputTokens: num,
  'question?': str, 'tScheduled?': num, 'tStart?': num, 'tFirstToken?': num, 'tEnd?': num,
  'tokenTimes?': listOf(num), 'chunkTokens?': listOf(num), 'batchSize?': num,
  'rawOutput?': str, 'prediction?': str, 'gold?': listOf(str), 'answerable?': bool,
  'em?': num, 'f1?': num, 'meanLogProb?': num, 'escalated?': bool, 'finishReason?': str, 'error?': str, 'timedOut?': bool,
  'tFirstAnswerToken?': num, 'reasoningTokens?': num, 'overload?': bool,
});

const device = shaped({ id: str, 'powerW?': num, 'utilPct?': num, 'memUsedMiB?': num, 'memTotalMiB?': num, 'tempC?': num, 'name?': str });

const specs: Record<string, Spec> = {
  'run-start': { wallStart: str, policy: str, load, weight: num, models: (v) => obj(v) && obj(v.A) && obj(v.B), 'totalQuestions?': num },
  'query-issued': { seq: num, questionId: str, targets: listOf(slot), policy: str, segment: num, warmup: bool, 'tScheduled?': num },
  'first-token': { id: str, model: slot },
  'query-finished': { record },
  'query-failed': { record },
  'engine-load': { model: slot, queued: num, running: num, batchSize: num, 'replicas?': listOf(shaped({ url: str, state: str, outstanding: num, requests: num, errors: num })) },
  telemetry: { sample: shaped({ source: str, t: num, devices: listOf(device) }) },
  'telemetry-status': { status: shaped({ source: str, state: str, intervalMs: num, 'reason?': str }) },
  'server-metrics': { model: slot, url: str, view: obj, 'problem?': str },
  measuring: { sample: shaped({ intervalMs: num, verdict: str, inflationMs: num, main: shaped({ loopDelayP99Ms: num, loopDelayMaxMs: num, utilisation: num }) }) },
  'policy-switch': { from: str, to: str, segment: num },
  'load-change': { load, 'segment?': num },
  'weight-change': { weight: num, 'segment?': num },
  pause: { paused: bool },
  save: { path: str },
  server: { model: slot, state: str, 'detail?': str },
  warning: { message: str },
  'run-end': { reason: str, 'detail?': str, 'workEndT?': num },
};

/** True when `value` has every field its type's consumers read, with the right types. */
export function isWellFormedEvent(value: unknown, knownTypes: ReadonlySet<string>): boolean {
  if (!obj(value) || typeof value.type !== 'string' || !knownTypes.has(value.type) || !num(value.t)) return false;
  const spec = specs[value.type];
  return spec === undefined || matches(value, spec);
}
