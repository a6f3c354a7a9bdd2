import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../source/commands/run.js';
import { FakeEngine } from '../../../source/core/engines/fake.js';
import { parseRunFlags } from '../../../source/core/run/flags.js';

const dataset = resolve(process.cwd(), 'examples/squad-sample.json');

function profile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'duet-metrics-')), 'p.yaml');
  writeFileSync(
    file,
    [
      'models:',
      '  - { label: small, backend: onnx, path: /fake/small }',
      '  - { label: large, backend: onnx, path: /fake/large }',
      'workload:',
      `  dataset: ${dataset}`,
      '  limit: 16',
      '  maxNewTokens: 8',
      '  load: { mode: closed, concurrency: 2 }',
      'telemetry: { source: none }',
      '',
    ].join('\n'),
  );
  return file;
}

function capture() {
  let text = '';
  return { stream: new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }), text: () => text };
}

describe('duet run --metrics-port', () => {
  it('serves the live run at /metrics while it runs, and stops serving when it ends', async () => {
    const out = capture();
    const err = capture();
    const engines: FakeEngine[] = [];
    const createEngine = async (model: { label: string }) => {
      const engine = new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs: 40, perTokenMs: 5, capacity: 2 });
      engines.push(engine);
      return engine;
    };
    const flags = parseRunFlags({ profile: profile(), headless: true, log: false, metricsPort: '0' });
    const done = runCommand(flags, { stdout: out.stream, stderr: err.stream, prepare: { createEngine } });
    let url: string | undefined;
    for (let i = 0; i < 500 && !url; i++) {
      url = /duet: Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(err.text())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    expect(url).toBeDefined();
    const families = parsePrometheusTextFormat(await (await fetch(url!)).text());
    const issued = families.find((f) => f.name === 'duet_questions_issued_total');
    expect(Number(issued!.metrics[0]!.value)).toBeGreaterThan(0);
    expect(families.find((f) => f.name === 'duet_model_info')!.metrics.map((m) => m.labels!.label).sort()).toEqual(['large', 'small']);
    expect(await done).toBe(0);
    await expect(fetch(url!)).rejects.toThrow();
  });

  it('ends the run (engines stopped) when the port is taken, with one line naming it', async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as AddressInfo).port;
    try {
      let stopped = 0;
      const createEngine = async (model: { label: string }) => {
        const engine = new FakeEngine({ info: { label: model.label, model: model.label }, prefillMs: 5, perTokenMs: 1 });
        const stop = engine.stop.bind(engine);
        engine.stop = async () => {
          stopped++;
          await stop();
        };
        return engine;
      };
      const flags = parseRunFlags({ profile: profile(), headless: true, log: false, metricsPort: String(port) });
      await expect(runCommand(flags, { stdout: capture().stream, stderr: capture().stream, prepare: { createEngine } })).rejects.toThrow(
        `--metrics-port: port ${port} on 127.0.0.1 is in use; pick another`,
      );
      expect(stopped).toBe(2);
    } finally {
      blocker.close();
    }
  });

  it('checks the flags: a port in range, a host only with a port', () => {
    expect(parseRunFlags({ metricsPort: '9464', metricsHost: '0.0.0.0' })).toMatchObject({ metricsPort: 9464, metricsHost: '0.0.0.0' });
    expect(() => parseRunFlags({ metricsPort: '70000' })).toThrow('--metrics-port: expected a port from 0 to 65535, got "70000"');
    expect(() => parseRunFlags({ metricsPort: 'x' })).toThrow('--metrics-port: expected a port from 0 to 65535, got "x"');
    expect(() => parseRunFlags({ metricsHost: '0.0.0.0' })).toThrow('--metrics-host: only with --metrics-port');
  });
});
