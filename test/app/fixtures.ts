import type { EngineInfo, ModelSlot } from '../../source/core/engines/engine.js';
import type {
  GroupFigures,
  HistogramBin,
  LatencyMetric,
  LatencyStats,
  LatencyView,
  ModelFigures,
  PowerView,
  Snapshot,
} from '../../source/core/metrics/snapshot.js';
import type { QueryRecord } from '../../source/core/query.js';

/** Fixture factories: realistic defaults, override what a test is about. */

export function bins(width: number, counts: number[], from = 0): HistogramBin[] {
  return counts.map((count, i) => ({ fromMs: from + i * width, toMs: from + (i + 1) * width, count }));
}

/** Bins in the store's fixed log bins (five per decade), the first one starting at 10^(firstIndex/5) ms. */
export function logBins(perDecade: number, counts: number[], firstIndex: number): HistogramBin[] {
  return counts.map((count, i) => ({ fromMs: 10 ** ((firstIndex + i) / perDecade), toMs: 10 ** ((firstIndex + i + 1) / perDecade), count }));
}

export function latencyView(overrides: Partial<LatencyView> = {}, stats: Partial<LatencyStats> = {}): LatencyView {
  const last10s: LatencyStats = { count: 40, mean: 52, p50: 45, p90: 85, p95: 90, p99: 97, max: 99, ...stats };
  const trend = { stepMs: 5000, p50: [null, 40, 42, 44, 45, 45, 46, 44, 45, 45, 45, last10s.p50 ?? null], p99: [null, 90, 92, 95, 97, 99, 96, 97, 97, 97, 97, last10s.p99 ?? null] };
  return { last10s, last60s: last10s, run: last10s, bins10s: logBins(5, [3, 14, 23], 7), trend, ...overrides };
}

const metrics: LatencyMetric[] = ['e2e', 'ttft', 'tpot', 'itl', 'queue', 'pre', 'post', 'lag', 'e2eSched', 'ttftSched'];

export function group(overrides: Partial<GroupFigures> = {}): GroupFigures {
  return {
    completed: 120,
    errors: 0,
    timeouts: 0,
    cancelled: 0,
    inputTokens: 12_000,
    outputTokens: 1_200,
    onTime: 100,
    exact: 50,
    histograms: {
      e2e: { bounds: [0.05, 0.1], cumulative: [40, 110, 120], sum: 6.2, count: 120 },
      ttft: { bounds: [0.01, 0.02], cumulative: [20, 100, 120], sum: 1.9, count: 120 },
      tpot: { bounds: [0.005], cumulative: [100, 120], sum: 0.5, count: 120 },
      itl: { bounds: [0.005], cumulative: [900, 1080], sum: 4.6, count: 1080 },
      queue: { bounds: [0.001], cumulative: [110, 120], sum: 0.1, count: 120 },
      promptTokens: { bounds: [64, 128], cumulative: [30, 120, 120], sum: 12_000, count: 120 },
      outputTokens: { bounds: [8, 16], cumulative: [60, 118, 120], sum: 1_200, count: 120 },
    },
    latency: Object.fromEntries(metrics.map((m) => [m, latencyView()])) as Record<LatencyMetric, LatencyView>,
    throughput: {
      qps10s: 3.2,
      qps60s: 3.0,
      qpsRun: 2.9,
      tokensPerSec10s: 41.5,
      tokensPerSecRun: 40,
      qpsSeries: [1, 2, 3, 3, 4, 3, 2, 3],
      tokensPerSecSeries: [20, 30, 40, 45, 41, 38],
    },
    accuracy: {
      em: { value: 45, low: 36.4, high: 53.9, n: 120 },
      f1: 51.2,
      hasAns: { em: { value: 40, n: 60 }, f1: 52.5 },
      noAns: { em: { value: 50, n: 60 }, f1: 50 },
    },
    energy: { joules: 1234, estimated: false, meanPowerW: 61.5, qpsPerW: 0.052, joulesPerQuery: 10.3, joulesPerCorrect: 22.8 },
    ...overrides,
  };
}

export function engineInfo(slot: ModelSlot, overrides: Partial<EngineInfo> = {}): EngineInfo {
  return {
    label: slot === 'A' ? 'small' : 'large',
    backend: 'onnx',
    model: slot === 'A' ? 'demo-small' : 'demo-large',
    device: 'cpu',
    synthetic: false,
    ...overrides,
  };
}

export function model(slot: ModelSlot, overrides: Partial<ModelFigures> = {}): ModelFigures {
  return { ...group(), slot, info: engineInfo(slot), state: 'ready', queueDepth: 2, inFlight: 3, batchSize: 4, ...overrides };
}

export function power(overrides: Partial<PowerView> = {}): PowerView {
  return {
    status: [{ source: 'npu-smi', state: 'ok', intervalMs: 1000 }],
    devices: [{ id: 'npu0.0', name: '910B', powerW: 92.5, utilPct: 71, memUsedMiB: 20480, memTotalMiB: 65536, tempC: 54 }],
    powerW: 92.5,
    powerSeries: [80, 85, 90, 95, 92],
    joules: 1234,
    samples: 60,
    intervalMs: 1000,
    source: 'npu-smi',
    ...overrides,
  };
}

export function record(seq: number, overrides: Partial<QueryRecord> = {}): QueryRecord {
  return {
    id: `${seq}:A`,
    seq,
    questionId: `q${seq}`,
    question: `What is question number ${seq} about?`,
    model: 'A',
    policy: 'round-robin',
    segment: 1,
    warmup: false,
    tIssued: 1000,
    tEnqueued: 1010,
    tStart: 1110,
    tFirstToken: 1410,
    tEnd: 1910,
    tDone: 1915,
    promptTokens: 300,
    contextTrimmed: false,
    outputTokens: 12,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    t: 83_000,
    elapsedMs: 83_000,
    measuredMs: 80_000,
    slo: {},
    paused: false,
    policy: 'round-robin',
    load: { mode: 'closed', concurrency: 4 },
    weight: 0.5,
    issued: 130,
    done: 120,
    total: 500,
    models: { A: model('A'), B: model('B') },
    combined: group(),
    segments: [
      {
        index: 1, policy: 'round-robin', tStart: 0, tEnd: 40_000, completed: 60, e2eP50: 50, e2eP99: 120, qps: 2.5, em: 40, meanPowerW: 60,
        models: {
          A: { completed: 30, failed: 0, e2eP50: { value: 40, low: 36, high: 44 }, e2eP99: { value: 90, low: 80 }, qps: { value: 0.75, low: 0.48, high: 1.02 }, em: { value: 40, low: 24.6, high: 57.7, n: 30 } },
          B: { completed: 30, failed: 0, e2eP50: { value: 60, low: 55, high: 66 }, e2eP99: { value: 150, low: 120 }, qps: { value: 0.75, low: 0.48, high: 1.02 }, em: { value: 40, low: 24.6, high: 57.7, n: 30 } },
        },
      },
      {
        index: 2, policy: 'cascade', tStart: 40_000, completed: 60, e2eP50: 40, e2eP99: 150, qps: 3.0, em: 48, meanPowerW: 63, escalationRate: 0.25, emBought: 5,
        models: {
          A: { completed: 60, failed: 0, e2eP50: { value: 30, low: 27, high: 33 }, e2eP99: { value: 95, low: 70 }, qps: { value: 1.5, low: 1.12, high: 1.88 }, em: { value: 45, low: 33.1, high: 57.5, n: 60 } },
          B: { completed: 15, failed: 0, e2eP50: { value: 62, low: 50, high: 80 }, e2eP99: { value: 160 }, qps: { value: 0.38, low: 0.19, high: 0.56 }, em: { value: 60, low: 35.7, high: 80.2, n: 15 } },
        },
      },
    ],
    power: power(),
    measuring: { samples: 0, warnSamples: 0, boundSamples: 0, boundShare: 0, worstInflationMs: 0 },
    recent: [
      { seq: 118, model: 'A', question: 'Which river flows through Paris?', prediction: 'Seine', gold: ['the Seine', 'Seine'], hit: true, e2eMs: 412 },
      { seq: 119, model: 'B', question: 'When was the treaty signed?', prediction: '1648', gold: ['1649'], hit: false, e2eMs: 1250 },
      { seq: 120, model: 'A', question: 'What is the colour of unicorn blood?', prediction: '', gold: [''], hit: true, e2eMs: 300 },
    ],
    slowest: [record(7), record(9, { model: 'B', id: '9:B', tDone: 3915, tEnd: 3900 })],
    warnings: [],
    ...overrides,
  };
}
