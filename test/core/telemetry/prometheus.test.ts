import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetrySchema } from '../../../source/core/profile/schema.js';
import { prometheusSource } from '../../../source/core/telemetry/prometheus.js';

const npuExporter = `# HELP npu_chip_info_power the npu power
# TYPE npu_chip_info_power gauge
npu_chip_info_power{id="0",model_name="Ascend910B3",vdie_id="1850-A"} 95.5 1723621883587
npu_chip_info_power{id="1",model_name="Ascend910B3",vdie_id="1850-B"} 88
# TYPE npu_chip_info_utilization gauge
npu_chip_info_utilization{id="0",model_name="Ascend910B3"} 42
# TYPE npu_chip_info_hbm_used_memory gauge
npu_chip_info_hbm_used_memory{id="0"} 30000
# TYPE npu_chip_info_hbm_total_memory gauge
npu_chip_info_hbm_total_memory{id="0"} 65536
# TYPE npu_chip_info_temperature gauge
npu_chip_info_temperature{id="0"} 47
npu_chip_info_temperature{id="1"} NaN
# TYPE npu_chip_info_health_status gauge
npu_chip_info_health_status{id="0"} 1
npu_chip_info_health_status{id="1"} 0
# TYPE machine_npu_nums gauge
machine_npu_nums 2
`;

const dcgm = `# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).
# TYPE DCGM_FI_DEV_POWER_USAGE gauge
DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3",Hostname="n2"} 312.25
# TYPE DCGM_FI_DEV_GPU_UTIL gauge
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} 77
# TYPE DCGM_FI_DEV_FB_USED gauge
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} 60000
# TYPE DCGM_FI_DEV_FB_FREE gauge
DCGM_FI_DEV_FB_FREE{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} 21000
# TYPE DCGM_FI_DEV_GPU_TEMP gauge
DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-1",modelName="NVIDIA H100 80GB HBM3"} 61
`;

function serve(body: string, status = 200): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
const hostOf = (server: Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('prometheus source against two local exporters', () => {
  let npu: Server;
  let gpu: Server;
  let broken: Server;
  beforeAll(async () => {
    [npu, gpu, broken] = await Promise.all([serve(npuExporter), serve(dcgm), serve('oops', 500)]);
  });
  afterAll(() => {
    for (const server of [npu, gpu, broken]) server.close();
  });

  it('maps npu-exporter and DCGM metrics to devices prefixed by host:port', async () => {
    const config = telemetrySchema.parse({ source: 'prometheus', urls: [urlOf(npu), urlOf(gpu)], timeoutMs: 2000 });
    const sample = await prometheusSource(config, { fetch }).sample();
    expect(sample.problem).toBeUndefined();
    expect(sample.devices).toEqual([
      { id: `${hostOf(npu)}/npu0`, card: 0, name: 'Ascend910B3', powerW: 95.5, utilPct: 42, memUsedMiB: 30000, memTotalMiB: 65536, tempC: 47, health: 'OK' },
      { id: `${hostOf(npu)}/npu1`, card: 1, name: 'Ascend910B3', powerW: 88, health: 'Unhealthy' },
      { id: `${hostOf(gpu)}/gpu0`, card: 0, name: 'NVIDIA H100 80GB HBM3', powerW: 312.25, utilPct: 77, memUsedMiB: 60000, memTotalMiB: 81000, tempC: 61 },
    ]);
  });

  it('keeps the good node and reports the failing one as the problem', async () => {
    const config = telemetrySchema.parse({ source: 'prometheus', urls: [urlOf(gpu), urlOf(broken)], timeoutMs: 2000 });
    const sample = await prometheusSource(config, { fetch }).sample();
    expect(sample.devices.map((d) => d.id)).toEqual([`${hostOf(gpu)}/gpu0`]);
    expect(sample.problem).toBe(`GET ${urlOf(broken)}: HTTP 500`);
  });

  it('fails with every reason when no node answers, and is unavailable without URLs', async () => {
    const config = telemetrySchema.parse({ source: 'prometheus', urls: [urlOf(broken)], timeoutMs: 2000 });
    await expect(prometheusSource(config, { fetch }).sample()).rejects.toThrow(`GET ${urlOf(broken)}: HTTP 500`);
    await expect(prometheusSource(telemetrySchema.parse({}), { fetch }).probe()).rejects.toThrow('prometheus needs at least one URL (telemetry.urls or --url)');
  });
});
