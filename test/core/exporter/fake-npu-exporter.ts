import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One node's npu-exporter page: the real metric names and label set of Huawei's
 * npu-exporter (id, model_name, vdie_id, pcie_bus_info, pod/namespace/container),
 * values followed by a millisecond timestamp, served on loopback.
 */
export function npuExporterPage(powersW: number[], now = 1723621883587): string {
  const labels = (id: number) =>
    `container_name="",id="${id}",model_name="Ascend910B3",namespace="",pcie_bus_info="0000:${(0x61 + id).toString(16).toUpperCase()}:00.0",pod_name="",vdie_id="185011D4-2110451${id}-A0C4ED94-14CC040A-56102003"`;
  const family = (name: string, help: string, value: (id: number) => number) =>
    [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...powersW.map((_, id) => `${name}{${labels(id)}} ${value(id)} ${now + id}`)].join('\n');
  return [
    '# HELP machine_npu_nums Amount of npu installed on the machine.',
    '# TYPE machine_npu_nums gauge',
    `machine_npu_nums ${powersW.length}`,
    family('npu_chip_info_power', "the npu power, unit is 'W'", (id) => powersW[id]!),
    family('npu_chip_info_utilization', 'the ai core utilization', (id) => 40 + id),
    family('npu_chip_info_hbm_used_memory', "the npu hbm used memory, unit is 'MB'", () => 30000),
    family('npu_chip_info_hbm_total_memory', "the npu hbm total memory, unit is 'MB'", () => 65536),
    family('npu_chip_info_temperature', 'the npu temperature', () => 47),
    family('npu_chip_info_health_status', 'the npu health status', () => 1),
    '',
  ].join('\n');
}

export interface FakeExporter {
  url: string;
  /** host:port, the prefix of its device ids. */
  hostPort: string;
  /** Chip powers served from now on. */
  powersW: number[];
  scrapes: number;
  close(): Promise<void>;
}

export async function startFakeNpuExporter(powersW: number[]): Promise<FakeExporter> {
  const state = { powersW, scrapes: 0 };
  const server: Server = createServer((_req, res) => {
    state.scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(npuExporterPage(state.powersW));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/metrics`,
    hostPort: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeExporter;
}
