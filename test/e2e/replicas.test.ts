/**
 * Beyond one box, end to end on loopback: four real `duet serve` processes as two
 * replicas per model, two npu-exporter pages, a headless run through the real profile
 * loader, prepareRun (replica pools) and the Prometheus exporter. One replica of A is
 * killed mid-run: its traffic moves to its twin, and every question issued ends as one
 * answer or one counted error.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSlot } from '../../source/core/engines/engine.js';
import { hasReplicas, type ReplicaStats } from '../../source/core/engines/replicas/pool.js';
import type { RunEvent } from '../../source/core/events.js';
import { exportRun } from '../../source/core/exporter/attach.js';
import { startRun } from '../../source/core/run/controller.js';
import { parseRunFlags } from '../../source/core/run/flags.js';
import { prepareRun } from '../../source/core/run/prepare.js';
import { startFakeNpuExporter, type FakeExporter } from '../core/exporter/fake-npu-exporter.js';

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'bin/duet.js');

interface Replica {
  child: ResultPromise;
  url: string;
}

async function serveReplica(model: string): Promise<Replica> {
  const child = execa(process.execPath, [cli, 'serve', '--model', model, '--port', '0', '--max-tokens', '6', '--threads', '1'], { cwd: repo, reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const match = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
      if (match) resolve(match[1]!);
    });
    void child.then((r) => reject(new Error(`duet serve exited: ${r.stderr}`)));
  });
  return { child, url };
}

function sample(families: PrometheusFamily[], name: string, labels: Record<string, string>): number | undefined {
  const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());
  const hit = families.find((f) => f.name === name)?.metrics.find((m) => key(m.labels ?? {}) === key(labels));
  return hit === undefined ? undefined : Number(hit.value);
}

describe('two replicas per model on loopback', () => {
  let root: string;
  let replicas: Replica[] = [];
  let exporters: FakeExporter[] = [];

  beforeAll(async () => {
    const { writeDemoModel } = await import('../../source/core/engines/onnx/demo/write-model.js');
    const { tinySpec, LLAMA3_VOCAB_SIZE } = await import('../../source/core/engines/onnx/demo/spec.js');
    root = mkdtempSync(join(tmpdir(), 'duet-replicas-'));
    const model = join(root, 'tiny-served');
    await writeDemoModel(model, tinySpec({ name: 'tiny-served', vocabSize: LLAMA3_VOCAB_SIZE }));
    replicas = await Promise.all([0, 1, 2, 3].map(() => serveReplica(model)));
    exporters = await Promise.all([startFakeNpuExporter([91.5, 88]), startFakeNpuExporter([240, 233.25])]);
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.child));
    for (const r of replicas) expect(() => process.kill(r.child.pid!, 0)).toThrow();
    await Promise.all(exporters.map((e) => e.close()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('moves a dead replica traffic to its twin, loses no question, and exports per-model power and figures', async () => {
    const [a0, a1, b0, b1] = replicas as [Replica, Replica, Replica, Replica];
    const [nodeA, nodeB] = exporters as [FakeExporter, FakeExporter];
    const profile = join(root, 'fleet.yaml');
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'fleet',
        models: [
          { label: 'small', backend: 'openai', endpoints: [a0.url, a1.url], device: 'npu:0', requestTimeoutMs: 30_000 },
          { label: 'large', backend: 'openai', endpoints: [b0.url, b1.url], device: 'npu:0', requestTimeoutMs: 30_000 },
        ],
        workload: { dataset: join(repo, 'examples/squad-sample.json'), limit: 40, maxNewTokens: 6, inputTokens: 256, load: { mode: 'closed', concurrency: 4 } },
        scheduler: { policy: 'round-robin' },
        telemetry: { source: 'prometheus', intervalMs: 200, urls: [nodeA.url, nodeB.url], deviceMap: { [nodeA.hostPort]: 'A', [nodeB.hostPort]: 'B' } },
      }),
    );
    const flags = parseRunFlags({ profile, headless: true, log: false, metricsPort: '0' });
    const prepared = await prepareRun(flags, { progress: () => undefined });
    const { A, B } = prepared.options.engines;
    expect(hasReplicas(A) && hasReplicas(B)).toBe(true);
    const poolA = hasReplicas(A) ? A : undefined;
    // Every event from run-start on, through the metrics sink (subscribing after startRun would miss the first).
    const events: RunEvent[] = [];
    let answeredByA = 0;
    let killedAt: ReplicaStats | undefined;
    const sink = prepared.options.metrics;
    prepared.options.metrics = {
      push(event) {
        events.push(event);
        sink.push(event);
        if (event.type !== 'query-finished' || event.record.model !== 'A') return;
        // Kill the first replica of A once A has answered a few: mid-run, with requests in flight.
        if (++answeredByA === 6 && !killedAt) {
          a0.child.kill('SIGKILL');
          killedAt = poolA!.replicaStats()[0];
        }
      },
      snapshot: (t) => sink.snapshot(t),
    };
    const run = await startRun(prepared.options);
    const exporter = (await exportRun(run, prepared, flags, () => undefined))!;
    try {
      const outcome = await run.finished;
      expect(outcome.reason).toBe('finished');
      expect(killedAt).toBeDefined();
      await a0.child;

      // Every question issued ends as exactly one answer or one counted error.
      const issued = events.filter((e): e is Extract<RunEvent, { type: 'query-issued' }> => e.type === 'query-issued' && !e.warmup);
      const ended = events.filter((e): e is Extract<RunEvent, { type: 'query-finished' | 'query-failed' }> => e.type === 'query-finished' || e.type === 'query-failed');
      expect(issued).toHaveLength(40);
      expect(ended).toHaveLength(40);
      expect(new Set(ended.map((e) => e.record.seq)).size).toBe(40);
      const s = run.snapshot();
      expect(s.done).toBe(40);
      const failed = ended.filter((e) => e.type === 'query-failed');
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed.every((e) => e.record.model === 'A' && e.record.error!.includes(a0.url.replace(/\/v1$/, '')))).toBe(true);
      expect(s.models.A.errors + s.models.A.timeouts).toBe(failed.length);
      expect(s.models.A.completed + s.models.B.completed).toBe(40 - failed.length);

      // The dead replica is out (nothing answered there after the kill); its twin took the rest.
      const [dead, twin] = poolA!.replicaStats() as [ReplicaStats, ReplicaStats];
      expect(dead).toMatchObject({ url: a0.url, state: 'down', downCount: 1 });
      // Only answers already on their way when the signal landed can have finished there.
      expect(dead.answered).toBeLessThanOrEqual(killedAt!.answered + killedAt!.outstanding);
      expect(dead.answered + dead.errors).toBe(dead.requests);
      expect(dead.errors).toBe(failed.length);
      expect(dead.connectionErrors).toBe(failed.length);
      expect(twin).toMatchObject({ url: a1.url, state: 'up', errors: 0 });
      expect(twin.answered + dead.answered).toBe(s.models.A.completed);
      expect(twin.answered).toBeGreaterThan(s.models.A.completed / 2);
      // The session log and the screen say when it left.
      expect(events.filter((e) => e.type === 'warning' && e.message.startsWith(`model "small": replica ${a0.url} taken out (`))).toHaveLength(1);

      // duet's own /metrics, read by a real exposition-format parser, says what the snapshot says.
      const response = await fetch(exporter.url);
      const text = await response.text();
      const families = parsePrometheusTextFormat(text);
      const histogramLine = (name: string, model: string) => Number(new RegExp(`^${name}\\{model="${model}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
      const after = run.snapshot();
      expect(sample(families, 'duet_questions_done_total', {})).toBe(after.done);
      for (const slot of ['A', 'B'] as ModelSlot[]) {
        const m = after.models[slot];
        expect(sample(families, 'duet_queries_total', { model: slot })).toBe(m.completed);
        expect(sample(families, 'duet_errors_total', { model: slot, kind: 'error' })).toBe(m.errors);
        // E2E as a real histogram: one observation per answer, summed in seconds.
        expect(histogramLine('duet_e2e_latency_seconds_count', slot)).toBe(m.completed);
        expect(histogramLine('duet_e2e_latency_seconds_sum', slot)).toBeCloseTo(m.histograms.e2e.sum, 9);
        expect(sample(families, 'duet_tokens_per_second', { model: slot, window: 'run' })).toBeCloseTo(m.throughput.tokensPerSecRun!, 9);
        expect(sample(families, 'duet_exact_match_ratio', { model: slot, subset: 'all' })).toBeCloseTo(m.accuracy.em.value! / 100, 12);
        expect(sample(families, 'duet_model_info', { model: slot, label: m.info.label, backend: 'openai', served: 'tiny-served', device: 'npu:0 x2' })).toBe(1);
      }
      expect(sample(families, 'duet_replica_up', { model: 'A', replica: a0.url })).toBe(0);
      expect(sample(families, 'duet_replica_up', { model: 'A', replica: a1.url })).toBe(1);
      expect(sample(families, 'duet_replica_errors_total', { model: 'A', replica: a0.url, kind: 'connection' })).toBe(failed.length);
      expect(sample(families, 'duet_replica_requests_total', { model: 'B', replica: b0.url })! + sample(families, 'duet_replica_requests_total', { model: 'B', replica: b1.url })!).toBe(after.models.B.completed);
      // Power per model: the chips of node A serve A, those of node B serve B.
      expect(sample(families, 'duet_model_power_watts', { model: 'A' })).toBe(91.5 + 88);
      expect(sample(families, 'duet_model_power_watts', { model: 'B' })).toBe(240 + 233.25);
      expect(sample(families, 'duet_model_energy_joules', { model: 'B', method: 'device-map' })).toBeGreaterThan(0);
      expect(sample(families, 'duet_device_power_watts', { device: `${nodeB.hostPort}/npu1`, model: 'B' })).toBe(233.25);
      expect(sample(families, 'duet_power_watts', {})).toBe(91.5 + 88 + 240 + 233.25);
    } finally {
      await exporter.close();
    }
  }, 90_000);
});
