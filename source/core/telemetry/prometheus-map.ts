/**
 * Pure mapping of Prometheus exposition families to device readings, for Ascend's
 * npu-exporter (`npu_chip_info_*`, labels id / model_name / vdie_id) and NVIDIA's DCGM
 * exporter (`DCGM_FI_DEV_*`, labels gpu / modelName). Device ids carry the scraped
 * host:port so that the same chip number on two nodes stays two devices.
 */
import type { PrometheusFamily } from 'parse-prometheus-text-format';
import type { DeviceReading } from './sample.js';

type NumericField = 'powerW' | 'utilPct' | 'memUsedMiB' | 'memTotalMiB' | 'tempC';

interface MetricRule {
  kind: 'npu' | 'gpu';
  field: NumericField | 'health' | 'memFreeMiB';
}

const rules: Record<string, MetricRule> = {
  npu_chip_info_power: { kind: 'npu', field: 'powerW' },
  npu_chip_info_utilization: { kind: 'npu', field: 'utilPct' },
  npu_chip_info_hbm_used_memory: { kind: 'npu', field: 'memUsedMiB' },
  npu_chip_info_hbm_total_memory: { kind: 'npu', field: 'memTotalMiB' },
  npu_chip_info_temperature: { kind: 'npu', field: 'tempC' },
  npu_chip_info_health_status: { kind: 'npu', field: 'health' },
  DCGM_FI_DEV_POWER_USAGE: { kind: 'gpu', field: 'powerW' },
  DCGM_FI_DEV_GPU_UTIL: { kind: 'gpu', field: 'utilPct' },
  DCGM_FI_DEV_FB_USED: { kind: 'gpu', field: 'memUsedMiB' },
  DCGM_FI_DEV_FB_FREE: { kind: 'gpu', field: 'memFreeMiB' },
  DCGM_FI_DEV_GPU_TEMP: { kind: 'gpu', field: 'tempC' },
};

export function readingsFromExposition(families: PrometheusFamily[], hostPort: string): DeviceReading[] {
  const devices = new Map<string, DeviceReading>();
  const free = new Map<string, number>();
  for (const family of families) {
    const rule = rules[family.name];
    if (!rule) continue;
    for (const metric of family.metrics) {
      const labels = metric.labels ?? {};
      const index = rule.kind === 'npu' ? labels.id : labels.gpu;
      const value = Number(metric.value);
      if (index === undefined || !/^\d+$/.test(index) || !Number.isFinite(value)) continue;
      const id = `${hostPort}/${rule.kind}${index}`;
      let device = devices.get(id);
      if (!device) devices.set(id, (device = { id, card: Number(index) }));
      const name = rule.kind === 'npu' ? labels.model_name : labels.modelName;
      if (name) device.name = name;
      if (rule.field === 'health') device.health = value === 1 ? 'OK' : 'Unhealthy';
      else if (rule.field === 'memFreeMiB') free.set(id, value);
      else device[rule.field] = value;
    }
  }
  for (const [id, freeMiB] of free) {
    const device = devices.get(id)!;
    // DCGM reports used and free framebuffer; their sum is the usable total.
    if (device.memUsedMiB !== undefined) device.memTotalMiB = device.memUsedMiB + freeMiB;
  }
  return [...devices.values()];
}
