import type { Engine, ModelSlot } from '../../../source/core/engines/engine.js';
import { FakeEngine, type FakeEngineOptions } from '../../../source/core/engines/fake.js';
import { scoreAnswer } from '../../../source/core/eval/squad-score.js';
import type { RunEvent } from '../../../source/core/events.js';
import { MetricsStore } from '../../../source/core/metrics/store.js';
import { profileSchema, type Profile } from '../../../source/core/profile/schema.js';
import type { QueryRecord } from '../../../source/core/query.js';
import { startRun, type RunController, type RunOptions, type RunQuestion } from '../../../source/core/run/controller.js';
import { createRandom } from '../../../source/core/scheduler/random.js';
import { VirtualTime } from '../../../source/core/scheduler/timers.js';

/** n questions; with `unanswerableEvery`, every such one is unanswerable (gold ''). */
export function makeQuestions(n: number, unanswerableEvery = 5): RunQuestion[] {
  return Array.from({ length: n }, (_, i) => {
    const impossible = unanswerableEvery > 0 && i % unanswerableEvery === unanswerableEvery - 1;
    return { id: `q${i}`, question: `question ${i}?`, answers: impossible ? [] : [`answer ${i}`], isImpossible: impossible };
  });
}

export function makeProfile(overrides: { workload?: Record<string, unknown>; scheduler?: Record<string, unknown>; slo?: Record<string, unknown>; timeoutMs?: number } = {}): Profile {
  const model = (label: string) => ({ label, backend: 'onnx', path: `/models/${label}`, ...(overrides.timeoutMs ? { requestTimeoutMs: overrides.timeoutMs } : {}) });
  return profileSchema.parse({
    name: 'test',
    models: [model('small'), model('large')],
    workload: { dataset: 'squad.json', ...overrides.workload },
    scheduler: overrides.scheduler ?? {},
    slo: overrides.slo ?? {},
  });
}

/** Fake engines that answer with the gold answer (found by question id in the prompt text). */
export function goldEngine(time: VirtualTime | undefined, label: string, options: FakeEngineOptions = {}): FakeEngine {
  return new FakeEngine({
    clock: time,
    timers: time,
    info: { label, model: label },
    output: (request) => request.promptText.split('|')[1] ?? '',
    ...options,
  });
}

export interface Harness {
  time: VirtualTime;
  run: RunController;
  events: RunEvent[];
  records: () => QueryRecord[];
}

export async function startHarness(options: {
  profile: Profile;
  engines: Record<ModelSlot, Engine>;
  questions?: RunQuestion[];
  time?: VirtualTime;
  extra?: Partial<RunOptions>;
}): Promise<Harness> {
  const time = options.time ?? new VirtualTime();
  const events: RunEvent[] = [];
  const store = new MetricsStore({ slo: options.profile.slo });
  const run = await startRun({
    profile: options.profile,
    engines: options.engines,
    questions: options.questions ?? makeQuestions(20),
    // The prompt carries the question id and gold answer so fake engines can answer.
    buildPrompt: (q) => ({ messages: [], promptText: `${q.id}|${q.answers[0] ?? ''}`, promptIds: [1, 2, 3], promptTokens: 3, contextTrimmed: false }),
    extractAnswer: (raw) => raw.trim(),
    scoreAnswer,
    metrics: { push: (event) => (events.push(event), store.push(event)), snapshot: (t) => store.snapshot(t) },
    clock: time,
    timers: time,
    random: createRandom(1),
    wallClock: () => new Date('2026-01-02T03:04:05.000Z'),
    ...options.extra,
  });
  const records = () => events.flatMap((e) => (e.type === 'query-finished' || e.type === 'query-failed' ? [e.record] : []));
  return { time, run, events, records };
}
