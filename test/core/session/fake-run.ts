import type { EngineInfo, ModelSlot } from '../../../source/core/engines/engine.js';
import type { RunEvent } from '../../../source/core/events.js';
import type { QueryRecord } from '../../../source/core/query.js';
import type { SessionHeader } from '../../../source/core/session/header.js';

/**
 * A realistic session made by hand (no engines): run-start, telemetry with power every
 * second, questions issued and finished (some unanswerable, one failed, one warm-up),
 * a policy switch halfway, run-end. Deterministic for a given seed; events in t order.
 */
export interface FakeRunOptions {
  seed?: number;
  questions?: number;
  /** Question text for question i (default "question i?"). */
  questionText?: (i: number) => string;
  /** Prediction of question i (default: the gold answer when hit). */
  prediction?: (i: number, model: ModelSlot) => string | undefined;
  /** Emit run-end (default true). */
  ended?: boolean;
  power?: boolean;
  /** Latency scale of model B relative to 1 (default 2.5). */
  slowB?: number;
  /** Share of hits per model (default A 0.5, B 0.8). */
  hitRate?: Record<ModelSlot, number>;
  slo?: { e2eMs?: number };
}

export function info(slot: ModelSlot): EngineInfo {
  return slot === 'A'
    ? { label: 'small', backend: 'onnx', model: 'demo-small', device: 'cpu', params: 36_000_000, dtype: 'fp32', synthetic: true, path: 'models/demo-small' }
    : { label: 'large', backend: 'openai', model: 'llama-3.2-3b', device: 'npu', params: 3_210_000_000, dtype: 'bf16', synthetic: false, url: 'http://127.0.0.1:8000/v1' };
}

export function fakeHeader(options: { slo?: { e2eMs?: number } } = {}): SessionHeader {
  return {
    kind: 'duet-session',
    schema: 1,
    duetVersion: '0.1.0',
    wallStart: '2026-01-02T03:04:05.000Z',
    profile: { name: 'test-profile', slo: options.slo ?? {} },
    host: { cpuModel: 'Test CPU', cores: 2, memoryBytes: 8 * 2 ** 30, freeMemoryBytes: 2 ** 30, os: 'Linux 6.1', arch: 'x64', node: 'v20.0.0' },
    models: { A: info('A'), B: info('B') },
    dataset: { path: 'data/dev-v2.0.json', hash: 'ab'.repeat(32), questions: 100 },
  };
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fakeRunEvents(options: FakeRunOptions = {}): RunEvent[] {
  const random = seeded(options.seed ?? 7);
  const n = options.questions ?? 40;
  const hitRate = options.hitRate ?? { A: 0.5, B: 0.8 };
  const t0 = 1000;
  const events: RunEvent[] = [
    { type: 'run-start', t: t0, wallStart: '2026-01-02T03:04:05.000Z', policy: 'round-robin', load: { mode: 'closed', concurrency: 2 }, weight: 0.5, models: { A: info('A'), B: info('B') }, totalQuestions: n },
    { type: 'telemetry-status', t: t0 + 1, status: { source: 'npu-smi', state: 'ok', intervalMs: 1000 } },
  ];
  const switchAt = Math.floor(n / 2);
  let t = t0 + 10;
  let end = t;
  for (let i = 0; i < n; i++) {
    const segment = i < switchAt ? 0 : 1;
    const policy = segment === 0 ? 'round-robin' : 'mirror';
    if (i === switchAt) events.push({ type: 'policy-switch', t, from: 'round-robin', to: 'mirror', segment: 1 });
    const warmup = i === 0;
    const targets: ModelSlot[] = segment === 0 ? [i % 2 === 0 ? 'A' : 'B'] : ['A', 'B'];
    events.push({ type: 'query-issued', t, seq: i, questionId: `q${i}`, targets, policy, segment, warmup });
    const answerable = i % 4 !== 3;
    const gold = answerable ? [`answer ${i}`] : [''];
    for (const model of targets) {
      const scale = model === 'B' ? (options.slowB ?? 2.5) : 1;
      const tEnqueued = t + 1 + Math.round(random() * 3);
      const tStart = tEnqueued + Math.round(random() * 20 * scale);
      const tFirstToken = tStart + Math.round((15 + random() * 30) * scale);
      const outputTokens = 1 + Math.floor(random() * 12);
      const tokenTimes = Array.from({ length: outputTokens }, (_, k) => tFirstToken + Math.round(k * 8 * scale));
      const tEnd = tokenTimes[tokenTimes.length - 1]!;
      const tDone = tEnd + 1 + Math.round(random() * 2);
      const hit = random() < hitRate[model];
      const failed = i === 5 && model === 'B';
      const prediction = options.prediction?.(i, model) ?? (hit ? gold[0]! : `wrong ${i}`);
      const record: QueryRecord = {
        id: `${i}:${model}`,
        seq: i,
        questionId: `q${i}`,
        question: options.questionText?.(i) ?? `question ${i}?`,
        model,
        policy,
        segment,
        warmup,
        tIssued: t,
        tEnqueued,
        tStart,
        tFirstToken,
        tEnd,
        tDone,
        tokenTimes,
        promptTokens: 200 + i,
        contextTrimmed: false,
        outputTokens: failed ? 0 : outputTokens,
        rawOutput: prediction,
        prediction,
        gold,
        answerable,
        ...(failed ? { error: 'HTTP 500 from server' } : { em: hit ? 1 : 0, f1: hit ? 1 : 0.25 }),
        finishReason: failed ? 'error' : 'stop',
      };
      events.push({ type: 'first-token', t: tFirstToken, id: record.id, model });
      events.push(failed ? { type: 'query-failed', t: tDone, record } : { type: 'query-finished', t: tDone, record });
      end = Math.max(end, tDone);
    }
    t += 150 + Math.round(random() * 100);
  }
  if (options.power !== false) {
    for (let s = t0 + 500; s <= end; s += 1000) {
      events.push({ type: 'telemetry', t: s, sample: { source: 'npu-smi', t: s, devices: [{ id: 'npu0.0', powerW: 150 + Math.round(random() * 40), utilPct: 50 }] } });
    }
  }
  if (options.ended !== false) events.push({ type: 'run-end', t: end + 5, reason: 'finished' });
  // Stable sort by t: the order a live run emits them in.
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map(({ e }) => e);
}

export function toJsonl(header: SessionHeader, events: readonly RunEvent[]): string {
  return [header, ...events].map((line) => `${JSON.stringify(line)}\n`).join('');
}
