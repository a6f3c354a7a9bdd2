/**
 * The soak's two backends: fake engines in-process (default), or two `duet serve`
 * processes on the demo models (--serve) started by the launcher with restart: true,
 * which the soak kills now and then.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Engine, ModelSlot } from '../../source/core/engines/engine.js';
import { FakeEngine } from '../../source/core/engines/fake.js';
import { createOpenAIEngine } from '../../source/core/engines/openai/engine.js';
import { launchServer, type LaunchedServer } from '../../source/core/launch/launcher.js';
import { killGroup } from '../../source/core/launch/safety-net.js';
import { launchSchema, modelSchema, type ModelProfile } from '../../source/core/profile/schema.js';
import type { Random } from '../../source/core/scheduler/random.js';

export interface SoakBackend {
  models: [ModelProfile, ModelProfile];
  engines: Record<ModelSlot, Engine>;
  /** Kills a model's server (SIGKILL); false when there is none (fake engines). */
  killServer(slot: ModelSlot): boolean;
  /** Restarts seen per slot (server came back and answered readiness). */
  restarts: Record<ModelSlot, number>;
  stop(): Promise<void>;
}

export function fakeBackend(random: Random, slowIds: Set<string>): SoakBackend {
  const model = (label: string) => modelSchema.parse({ label, backend: 'onnx', path: `fake/${label}`, requestTimeoutMs: 1500 });
  const engine = (label: string, accuracy: number, prefill: number) =>
    new FakeEngine({
      info: { label, model: label },
      random,
      capacity: 8,
      prefillMs: () => prefill + random.next() * prefill,
      perTokenMs: (r) => (slowIds.has(r.id) ? 30 : 1),
      // The prompt carries the gold answer (see soak.ts): right with probability `accuracy`.
      output: (r, rnd) => (rnd.next() < accuracy ? (r.promptText.split('|')[1] ?? '') : 'a wrong guess'),
      meanLogProb: () => -3 * random.next(),
    });
  return {
    models: [model('small'), model('large')],
    engines: { A: engine('small', 0.6, 2), B: engine('large', 0.8, 5) },
    killServer: () => false,
    restarts: { A: 0, B: 0 },
    stop: async () => undefined,
  };
}

/** Two `duet serve` processes on the demo models, ports 18601/18602 unless taken. */
export async function serveBackend(log: (line: string) => void, logDir: string): Promise<SoakBackend> {
  for (const name of ['demo-small', 'demo-large']) {
    if (!existsSync(resolve('models', name, 'config.json'))) throw new Error(`--serve needs models/${name}: run duet make-demo-models first`);
  }
  const restarts = { A: 0, B: 0 };
  const servers: Partial<Record<ModelSlot, LaunchedServer>> = {};
  const models: ModelProfile[] = [];
  for (const [slot, name, port] of [['A', 'demo-small', 18601], ['B', 'demo-large', 18602]] as const) {
    const launch = launchSchema.parse({
      command: process.execPath,
      args: [resolve('bin/duet.js'), 'serve', '--model', resolve('models', name), '--port', String(port), '--threads', '1'],
      readyUrl: `http://127.0.0.1:${port}/health`,
      readyTimeoutMs: 180_000,
      stopGraceMs: 5000,
      restart: true,
    });
    log(`starting duet serve ${name} on ${port}`);
    servers[slot] = await launchServer(launch, {
      name,
      logDir,
      maxRestarts: 1000,
      restartDelayMs: 200,
      onState: (state, detail) => {
        if (state === 'ready' && detail?.startsWith('restarted')) restarts[slot]++;
        if (state !== 'ready' && state !== 'starting') log(`server ${name}: ${state}${detail ? ` (${detail.split('\n')[0]})` : ''}`);
      },
    });
    models.push(modelSchema.parse({ label: name, backend: 'openai', url: `http://127.0.0.1:${port}/v1`, served: name, requestTimeoutMs: 30_000 }));
  }
  return {
    models: models as [ModelProfile, ModelProfile],
    engines: { A: createOpenAIEngine(models[0]!), B: createOpenAIEngine(models[1]!) },
    killServer(slot) {
      const pid = servers[slot]?.pid;
      if (!pid) return false;
      killGroup(pid, 'SIGKILL');
      return true;
    },
    restarts,
    async stop() {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
    },
  };
}
