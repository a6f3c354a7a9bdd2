import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../source/core/profile/loader.js';
import type { ModelProfile, Profile } from '../../source/core/profile/schema.js';

/**
 * What must hold of every profile duet ships, whatever its values: a server is polled and
 * asked where it listens, two servers on one card leave each other memory, and every
 * relative path points at something in the repository (or at models/, where duet builds
 * and downloads models).
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const folder = join(repo, 'profiles');
const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f));
const load = (name: string): Profile => parseProfile(readFileSync(join(folder, name), 'utf8'), join(folder, name));
const launched = (profile: Profile) => profile.models.filter((m): m is ModelProfile & { launch: NonNullable<ModelProfile['launch']> } => m.launch !== undefined);

function argAfter(args: readonly string[], ...flags: string[]): string | undefined {
  const i = args.findIndex((a) => flags.includes(a));
  return i >= 0 ? args[i + 1] : undefined;
}

/** The folder a launched server runs in: its cwd, else the profile's folder (as the launcher does). */
const cwdOf = (model: ModelProfile) => model.launch?.cwd ?? folder;
const insideModels = (path: string) => !relative(join(repo, 'models'), path).startsWith('..');
/** The card a server is pinned to: the runtime's visible-devices variable, else its device field. */
const cardOf = (model: ModelProfile) => model.launch?.env.ASCEND_RT_VISIBLE_DEVICES ?? model.launch?.env.CUDA_VISIBLE_DEVICES ?? model.device ?? 'default';

describe('shipped profiles', () => {
  it.each(files)('%s loads through the profile loader (schema and cross-field checks)', (name) => {
    expect(() => load(name)).not.toThrow();
  });

  it('every profile the README and docs name is shipped', () => {
    const docs = ['README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    // Lines of duet's own error output name made-up files (`duet: profiles/x.yaml: ...`).
    const lines = docs.flatMap((doc) => readFileSync(join(repo, doc), 'utf8').split('\n')).filter((line) => !line.startsWith('duet:'));
    const named = new Set(lines.flatMap((line) => [...line.matchAll(/\bprofiles\/([\w.-]+\.ya?ml)\b/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(0);
    expect([...named].filter((name) => !files.includes(name))).toEqual([]);
  });

  it.each(files)('%s holds no literal secret and no shell metacharacter in a launch argument', (name) => {
    expect(readFileSync(join(folder, name), 'utf8')).not.toMatch(/\b(sk-[A-Za-z0-9]{8,}|api[_-]?key\s*:\s*\S+|Bearer\s+\S+)/i);
    for (const model of launched(load(name))) expect(model.launch.args.filter((a) => /[;&|`$]/.test(a))).toEqual([]);
  });

  it('each launched server listens on the host and port its url names, is polled there, and no two share a port', () => {
    let servers = 0;
    for (const name of files) {
      const ports: string[] = [];
      for (const model of launched(load(name))) {
        servers++;
        const url = new URL(model.url!);
        const ready = new URL(model.launch.readyUrl!);
        expect([name, ready.hostname, ready.port]).toEqual([name, url.hostname, url.port]);
        expect([name, argAfter(model.launch.args, '--port')]).toEqual([name, url.port]);
        const host = argAfter(model.launch.args, '--host');
        if (host !== undefined) expect([name, host]).toEqual([name, url.hostname]);
        ports.push(url.port);
      }
      expect([name, new Set(ports).size]).toEqual([name, ports.length]);
    }
    expect(servers).toBeGreaterThanOrEqual(4);
  });

  it('each launched server serves the model name the client asks for', () => {
    for (const name of files) {
      for (const model of launched(load(name))) {
        const { command, args } = model.launch;
        const servedAs =
          command === 'vllm' ? argAfter(args, '--served-model-name') : command === 'llama-server' ? argAfter(args, '--alias', '-a') : args[1] === 'serve' ? basename(argAfter(args, '--model')!) : undefined;
        expect([name, model.label, servedAs]).toEqual([name, model.label, model.served]);
      }
    }
  });

  it('vLLM servers sharing a card each claim a memory fraction, and together less than all of it', () => {
    let shared = 0;
    for (const name of files) {
      const byCard = new Map<string, ModelProfile[]>();
      for (const model of launched(load(name)).filter((m) => m.launch.command === 'vllm')) byCard.set(cardOf(model), [...(byCard.get(cardOf(model)) ?? []), model]);
      for (const [card, models] of byCard) {
        if (models.length < 2) continue;
        shared++;
        // Without the flag vLLM takes 0.9 of the card for each server, and the second one fails to start.
        const fractions = models.map((m) => Number(argAfter(m.launch!.args, '--gpu-memory-utilization')));
        expect([name, card, fractions.every((f) => f > 0 && f < 1)]).toEqual([name, card, true]);
        expect(fractions.reduce((a, b) => a + b, 0), `${name}, card ${card}: ${fractions.join(' + ')}`).toBeLessThan(1);
      }
    }
    expect(shared).toBeGreaterThan(0);
  });

  it.each(files)('%s: every relative path is in the repository, and model folders and files lie in models/', (name) => {
    const profile = load(name);
    expect(existsSync(profile.workload.dataset), profile.workload.dataset).toBe(true);
    for (const model of profile.models) {
      if (model.path !== undefined) expect(insideModels(model.path), model.path).toBe(true);
      if (!model.launch) continue;
      const cwd = cwdOf(model);
      expect(existsSync(cwd) && statSync(cwd).isDirectory(), cwd).toBe(true);
      const { command, args } = model.launch;
      if (command.includes('/')) expect(existsSync(resolve(cwd, command)), command).toBe(true);
      if (command === 'node') expect(existsSync(resolve(cwd, args[0]!)), args[0]).toBe(true);
      for (const modelArg of [argAfter(args, '-m', '--model')]) {
        if (modelArg !== undefined && (modelArg.startsWith('.') || modelArg.startsWith('models/'))) expect(insideModels(resolve(cwd, modelArg)), modelArg).toBe(true);
      }
    }
  });
});
