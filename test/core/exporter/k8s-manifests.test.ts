import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../../source/core/profile/schema.js';
import { parseRunFlags } from '../../../source/core/run/flags.js';

type Doc = { kind: string; metadata: { name: string; namespace?: string }; spec?: any; data?: Record<string, string> };

const dir = new URL('../../../deploy/k8s/', import.meta.url).pathname;
const docs: Doc[] = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Doc));
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe('deploy/k8s example manifests', () => {
  it('mount a profile duet accepts, whose endpoints are the replicas the StatefulSets create', () => {
    const configMap = find('ConfigMap', 'duet-profile')!;
    const profile = profileSchema.parse(parseAllDocuments(configMap.data!['profile.yaml']!)[0]!.toJS());
    for (const [i, name] of ['vllm-small', 'vllm-large'].entries()) {
      const set = find('StatefulSet', name)!;
      const pods = Array.from({ length: set.spec.replicas as number }, (_, r) => `http://${name}-${r}.${set.spec.serviceName}.duet.svc:8000/v1`);
      expect(profile.models[i]!.endpoints).toEqual(pods);
      expect(find('Service', set.spec.serviceName)!.spec.clusterIP).toBe('None');
    }
    // Every exporter URL's host is mapped to a model.
    for (const url of profile.telemetry.urls) expect(profile.telemetry.deviceMap![new URL(url).hostname]).toMatch(/^[AB]$/);
  });

  it('run duet as a Job whose flags parse and whose metrics port is the one exposed', () => {
    const job = find('Job', 'duet')!;
    const container = job.spec.template.spec.containers[0];
    const args = container.args as string[];
    expect(args[0]).toBe('run');
    const raw = Object.fromEntries(
      args.slice(1).map((a) => {
        const [key, value] = a.replace(/^--/, '').split('=');
        return [key!.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), value ?? true];
      }),
    );
    const flags = parseRunFlags(raw);
    expect(flags).toMatchObject({ headless: true, json: true, metricsPort: 9464, metricsHost: '0.0.0.0' });
    expect(container.ports[0].containerPort).toBe(flags.metricsPort);
    expect(job.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(flags.metricsPort));
    expect(docs.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'duet')).toBe(true);
  });
});
