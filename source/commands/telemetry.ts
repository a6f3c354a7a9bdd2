import { systemClock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { errorMessage, UserError } from '../core/errors.js';
import { telemetrySchema, type TelemetryProfile } from '../core/profile/schema.js';
import type { DeviceReading, TelemetrySample, TelemetryStatus } from '../core/telemetry/sample.js';
import { defaultTelemetryDeps, detectSources, startTelemetry } from '../core/telemetry/start.js';
import { defineCommand } from './command.js';
import { terminalSafe } from '../core/text/sanitize.js';

/** Device names, tool output and reasons come from outside: no escape sequence reaches the terminal. */
function writeSafe(stream: NodeJS.WritableStream, text: string): void {
  stream.write(terminalSafe(text, { multiline: true }));
}

const sourceNames = ['auto', 'npu-smi', 'nvidia-smi', 'rapl', 'prometheus', 'system'] as const;
type RequestedSource = (typeof sourceNames)[number];

const help = `  Usage
    $ duet telemetry [flags]

  Flags
    --source auto|npu-smi|nvidia-smi|rapl|prometheus|system   (default auto: npu-smi,
                       else nvidia-smi, else RAPL; plus prometheus with --url; plus system)
    --once             print one sample set per source and exit
    --json             one JSON object per sample set
    --interval 1s      time between samples (500ms, 1s, 2m, ...)
    --timeout 3s       how long one npu-smi/nvidia-smi call or scrape may take
    --npu-smi PATH     the npu-smi executable (default: npu-smi on PATH)
    --url URL          a Prometheus /metrics URL (npu-exporter or DCGM); repeatable
`;

export interface SampleJson {
  source: string;
  time: string;
  devices: DeviceReading[];
}

/** The --json shape: absent readings stay out of the object, never null or 0. */
export function sampleToJson(sample: Pick<TelemetrySample, 'source' | 'devices'>, time: Date): SampleJson {
  const keys = ['id', 'card', 'chip', 'name', 'health', 'powerW', 'utilPct', 'memUsedMiB', 'memTotalMiB', 'tempC', 'processes'] as const;
  const devices = sample.devices.map((device) => Object.fromEntries(keys.filter((k) => device[k] !== undefined).map((k) => [k, device[k]])) as unknown as DeviceReading);
  return { source: sample.source, time: time.toISOString(), devices };
}

const fixed = (value: number | undefined, digits: number, unit: string) => (value === undefined ? undefined : `${value.toFixed(digits)}${unit}`);

/** One human line per device. */
export function sampleToLines(sample: Pick<TelemetrySample, 'source' | 'devices'>, time: Date): string[] {
  const clock = time.toISOString().slice(11, 23);
  return sample.devices.map((d) => {
    const memory = d.memTotalMiB === undefined ? undefined : `mem ${d.memUsedMiB ?? '?'}/${d.memTotalMiB} MiB`;
    const processes = d.processes?.length ? `pids ${d.processes.map((p) => p.pid).join(',')}` : undefined;
    const parts = [d.name, d.health, fixed(d.powerW, 1, ' W'), fixed(d.utilPct, 0, '%'), memory, fixed(d.tempC, 0, ' C'), processes];
    return [clock, sample.source.padEnd(10), d.id.padEnd(8), ...parts.filter((p) => p !== undefined)].join('  ');
  });
}

function buildConfig(flags: { source?: string; interval?: string; timeout?: string; npuSmi?: string; url?: string[] }): TelemetryProfile {
  const source = (flags.source ?? 'auto') as RequestedSource;
  if (!sourceNames.includes(source)) throw new UserError(`--source: expected one of ${sourceNames.join(', ')}, got "${flags.source}"`);
  const intervalMs = flags.interval === undefined ? 1000 : parseDuration(flags.interval, '--interval');
  const timeoutMs = flags.timeout === undefined ? 3000 : parseDuration(flags.timeout, '--timeout');
  if (intervalMs <= 0) throw new UserError('--interval: must be more than 0');
  if (timeoutMs <= 0) throw new UserError('--timeout: must be more than 0');
  const parsed = telemetrySchema.safeParse({
    source,
    intervalMs,
    timeoutMs,
    urls: flags.url ?? [],
    ...(flags.npuSmi ? { npuSmiPath: flags.npuSmi } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`--${issue.path[0] === 'urls' ? 'url' : String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

function failure(status: TelemetryStatus): UserError {
  const what = status.state === 'unavailable' ? 'is not available' : 'failed';
  return new UserError(`telemetry source ${status.source} ${what}: ${status.reason ?? 'no reason given'}`);
}

export const command = defineCommand({
  name: 'telemetry',
  summary: 'print power, utilisation and memory samples',
  help,
  flags: {
    source: { type: 'string' },
    once: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    interval: { type: 'string' },
    timeout: { type: 'string' },
    npuSmi: { type: 'string' },
    url: { type: 'string', isMultiple: true },
  },
  async run({ flags }) {
    const config = buildConfig(flags);
    const print = (sample: Pick<TelemetrySample, 'source' | 'devices'>) => {
      const now = new Date();
      const text = flags.json ? JSON.stringify(sampleToJson(sample, now)) : sampleToLines(sample, now).join('\n');
      if (text !== '') writeSafe(process.stdout, `${text}\n`);
    };
    const requested = config.source === 'auto' ? undefined : config.source;
    return flags.once ? once(config, requested, print) : follow(config, requested, print);
  },
});

async function once(config: TelemetryProfile, requested: string | undefined, print: (s: Pick<TelemetrySample, 'source' | 'devices'>) => void): Promise<number> {
  const deps = defaultTelemetryDeps();
  const detected = await detectSources(config, deps);
  const bad = detected.statuses.find((s) => s.source === requested && s.state !== 'ok');
  if (bad) throw failure(bad);
  // RAPL gives power only as a difference of two readings: let one interval pass.
  if (detected.sources.some((s) => s.name === 'rapl')) await new Promise((resolve) => setTimeout(resolve, config.intervalMs));
  let exitCode = 0;
  for (const source of detected.sources) {
    try {
      const sample = await source.sample();
      print({ source: source.name, devices: sample.devices });
      if (sample.problem) writeSafe(process.stderr, `duet: ${source.name}: ${sample.problem}\n`);
    } catch (error) {
      if (source.name === requested) throw new UserError(`telemetry source ${source.name} failed: ${errorMessage(error)}`);
      writeSafe(process.stderr, `duet: ${source.name}: ${errorMessage(error)}\n`);
      exitCode = 1;
    }
  }
  return exitCode;
}

async function follow(config: TelemetryProfile, requested: string | undefined, print: (s: Pick<TelemetrySample, 'source' | 'devices'>) => void): Promise<number> {
  let started = false;
  const handle = await startTelemetry(config, {
    clock: systemClock,
    emit: (event) => {
      if (event.type === 'telemetry') print(event.sample);
      else if (event.type === 'telemetry-status' && started) {
        const { source, state, reason } = event.status;
        writeSafe(process.stderr, `duet: ${source} ${state}${reason ? `: ${reason}` : ''}\n`);
      }
    },
  });
  const unavailable = handle.status().find((s) => s.source === requested && s.state === 'unavailable');
  if (unavailable) {
    await handle.stop();
    throw failure(unavailable);
  }
  for (const status of handle.status().filter((s) => s.state !== 'ok')) {
    writeSafe(process.stderr, `duet: ${status.source} ${status.state}${status.reason ? `: ${status.reason}` : ''}\n`);
  }
  started = true;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await handle.stop();
  return 0;
}
