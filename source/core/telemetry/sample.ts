/** One device's readings at one moment. Missing readings are undefined, never 0. */
export interface DeviceReading {
  /** Stable id, e.g. "npu0.0" (card.chip), "gpu0", "cpu-package-0", "system". */
  id: string;
  card?: number;
  chip?: number;
  name?: string;
  health?: string;
  powerW?: number;
  utilPct?: number;
  memUsedMiB?: number;
  memTotalMiB?: number;
  tempC?: number;
  processes?: { pid: number; name?: string; memMiB?: number; cpuPct?: number }[];
}

export type TelemetrySourceName = 'npu-smi' | 'nvidia-smi' | 'rapl' | 'prometheus' | 'system';

/** One sample set from one source. */
export interface TelemetrySample {
  source: TelemetrySourceName;
  /** Run clock time (ms). */
  t: number;
  devices: DeviceReading[];
}

export interface TelemetryStatus {
  source: TelemetrySourceName;
  state: 'ok' | 'degraded' | 'unavailable';
  /** Why, when not ok (the error line). */
  reason?: string;
  intervalMs: number;
}
