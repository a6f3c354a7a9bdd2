/**
 * Which model a telemetry device serves, and power and energy per model. A fleet has
 * one exporter per node (device ids `host:port/npu0`, see prometheus-map.ts); each card
 * serves one replica of one model. The profile says which (`telemetry.deviceMap`), else
 * the exporter's host is matched to the host of the model's replicas.
 */
import type { ModelSlot } from '../engines/engine.js';
import type { ModelProfile } from '../profile/schema.js';
import { integrateEnergy, type PowerPoint } from './energy.js';
import type { TelemetrySample } from './sample.js';

/** Keys: a device id (`10.0.0.5:9100/npu0`), an exporter (`10.0.0.5:9100`) or a host (`10.0.0.5`). */
export type DeviceMap = Record<string, ModelSlot>;

export type DeviceResolver = (deviceId: string) => ModelSlot | undefined;

const SLOTS: ModelSlot[] = ['A', 'B'];

function hostOf(hostPort: string): string | undefined {
  try {
    return new URL(`http://${hostPort}`).hostname;
  } catch {
    return undefined;
  }
}

/** Hostnames that serve exactly one of the two models (a host serving both says nothing). */
export function replicaHosts(models: readonly ModelProfile[]): Map<string, ModelSlot> {
  const slotsByHost = new Map<string, Set<ModelSlot>>();
  models.forEach((model, i) => {
    const slot = SLOTS[i];
    if (!slot) return;
    for (const url of model.endpoints?.length ? model.endpoints : model.url ? [model.url] : []) {
      const host = new URL(url).hostname;
      slotsByHost.set(host, (slotsByHost.get(host) ?? new Set()).add(slot));
    }
  });
  const hosts = new Map<string, ModelSlot>();
  for (const [host, slots] of slotsByHost) if (slots.size === 1) hosts.set(host, [...slots][0]!);
  return hosts;
}

/** The most specific mapping wins: device id, then exporter host:port, then host, then replica hosts. */
export function deviceResolver(deviceMap: DeviceMap | undefined, hosts: Map<string, ModelSlot> = new Map()): DeviceResolver {
  const map = deviceMap ?? {};
  return (deviceId) => {
    const direct = map[deviceId];
    if (direct) return direct;
    const cut = deviceId.lastIndexOf('/');
    if (cut < 0) return undefined;
    const hostPort = deviceId.slice(0, cut);
    const host = hostOf(hostPort);
    return map[hostPort] ?? (host === undefined ? undefined : (map[host] ?? hosts.get(host)));
  };
}

export function profileDeviceResolver(profile: { models: readonly ModelProfile[]; telemetry: { deviceMap?: DeviceMap } }): DeviceResolver {
  return deviceResolver(profile.telemetry.deviceMap, replicaHosts(profile.models));
}

/** Power of one sample per model: the sum over the devices mapped to it that report power. */
export function powerByModel(sample: TelemetrySample, resolve: DeviceResolver): Partial<Record<ModelSlot, number>> {
  const out: Partial<Record<ModelSlot, number>> = {};
  for (const device of sample.devices) {
    if (device.powerW === undefined || !Number.isFinite(device.powerW)) continue;
    const slot = resolve(device.id);
    if (slot) out[slot] = (out[slot] ?? 0) + device.powerW;
  }
  return out;
}

/**
 * Power now and energy so far per model, from the telemetry samples of a run. Energy is
 * the trapezoid integral of each model's summed power (gaps left unbridged, like the
 * run's own energy), so it is measured, not split by busy time.
 */
export class ModelPowerTracker {
  private readonly points: Record<ModelSlot, PowerPoint[]> = { A: [], B: [] };

  constructor(private readonly resolve: DeviceResolver) {}

  add(sample: TelemetrySample): void {
    const power = powerByModel(sample, this.resolve);
    for (const slot of SLOTS) {
      const watts = power[slot];
      if (watts !== undefined) this.points[slot].push({ t: sample.t, powerW: watts });
    }
  }

  /** The latest summed power of the model's devices (W), undefined before any mapped reading. */
  powerW(slot: ModelSlot): number | undefined {
    return this.points[slot].at(-1)?.powerW;
  }

  /** Energy from the model's first mapped reading to its last (J). */
  joules(slot: ModelSlot): number | undefined {
    const points = this.points[slot];
    if (points.length === 0) return undefined;
    return integrateEnergy(points, points[0]!.t, points.at(-1)!.t).joules;
  }
}
