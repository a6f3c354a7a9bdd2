import type { Clock } from '../clock.js';
import type { TelemetryProfile } from '../profile/schema.js';
import type { CommandRunner } from './runner.js';
import type { DeviceReading, TelemetrySourceName } from './sample.js';

/** One sample set of one source. `problem` marks the source degraded while keeping the data. */
export interface SourceSample {
  devices: DeviceReading[];
  problem?: string;
}

export interface TelemetrySource {
  readonly name: TelemetrySourceName;
  /**
   * Checks that the source works here. Throws SourceUnavailableError when it never
   * can (tool missing, no counters, no URL), any other Error when it fails right now.
   */
  probe(): Promise<void>;
  /** Takes one sample; throws one clear line on failure. Never called concurrently. */
  sample(): Promise<SourceSample>;
}

/** Everything a source touches outside the process, injectable for tests. */
export interface TelemetryDeps {
  clock: Clock;
  run: CommandRunner;
  readFile: (path: string) => Promise<string>;
  readdir: (path: string) => Promise<string[]>;
  fetch: typeof fetch;
  /** Root of the powercap tree (normally /sys/class/powercap). */
  powercapRoot: string;
  /** Root of the process tree (normally /proc). */
  procRoot: string;
  /** Pids whose RSS/CPU the system source reports (duet and the servers it started). */
  pids: () => number[];
  /** Host CPU load and memory (systeminformation by default). */
  hostLoad: () => Promise<HostLoad>;
}

export interface HostLoad {
  cpuPct?: number;
  memUsedMiB?: number;
  memTotalMiB?: number;
}

export type SourceConfig = TelemetryProfile;
