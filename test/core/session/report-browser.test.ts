import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionLog } from '../../../source/core/session/reader.js';
import { renderReport } from '../../../source/core/session/report/index.js';
import { fakeHeader, fakeRunEvents, toJsonl } from './fake-run.js';
import { decodePng } from './png.js';

/**
 * The HTML report in a real browser (Debian's chromium, headless): every chart is built,
 * nothing reaches the console, the charts are on the screenshot, and a <script> in a
 * question is text. CI needs: apt-get install -y chromium
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars', '--force-device-scale-factor=1'];

/** Chromium with a fresh profile of its own (nothing shared between runs). */
async function chromium(args: string[]) {
  const profile = await mkdtemp(path.join(tmpdir(), 'duet-chromium-'));
  return execa(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { reject: false, timeout: 90_000 });
}
const EVIL = '</script><script>document.title="pwned"</script> who?';

async function reportFile(options: { power?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-browser-'));
  const events = fakeRunEvents({ questions: 24, slowB: 3, ...options, questionText: (i) => (i === 11 ? EVIL : `question ${i}?`), prediction: (i) => (i === 11 ? '<b onmouseover=x>bold</b>' : undefined) });
  const file = path.join(dir, 'report.html');
  await writeFile(file, renderReport(parseSessionLog(toJsonl(fakeHeader(), events), 'logs/browser.jsonl'), 'html'));
  return file;
}

/** Pixels within a small distance of an RGB colour. */
function countNear(image: ReturnType<typeof decodePng>, [r, g, b]: [number, number, number]): number {
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [pr, pg, pb] = image.pixel(x, y);
      if (Math.abs(pr - r) + Math.abs(pg - g) + Math.abs(pb - b) < 30) count++;
    }
  }
  return count;
}

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  it('builds all 12 charts with no console output, and the question with <script> is text', { timeout: 120_000 }, async () => {
    const file = await reportFile();
    const result = await chromium(['--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes(':CONSOLE'))).toEqual([]);
    // 3 CDFs, 3 shared histograms, latency / q/s / tokens / power over time, per-segment latency, the scatter;
    // model A has synthetic weights, so no EM-over-time and no per-segment EM chart.
    expect(result.stdout).toMatch(/<body data-charts="12" data-overflow="none">/);
    expect(result.stdout).toContain('<title>duet report: test-profile');
    expect(result.stdout.match(/<script/g)).toHaveLength(3);
    expect(result.stdout).toContain('&lt;/script&gt;&lt;script&gt;document.title="pwned"&lt;/script&gt; who?');
    expect(result.stdout).toContain('&lt;b onmouseover=x&gt;bold&lt;/b&gt;');
  });

  it('the screenshot shows the charts in both model colours', { timeout: 120_000 }, async () => {
    const file = await reportFile();
    const shot = path.join(path.dirname(file), 'shot.png');
    const result = await chromium(['--window-size=1280,3000', `--screenshot=${shot}`, `file://${file}`]);
    expect(result.exitCode).toBe(0);
    const image = decodePng(await readFile(shot));
    expect([image.width, image.height]).toEqual([1280, 3000]);
    // Model A blue (#2f7ed8) and B orange (#d9822b): bars, CDF lines and series.
    expect(countNear(image, [0x2f, 0x7e, 0xd8])).toBeGreaterThan(5000);
    expect(countNear(image, [0xd9, 0x82, 0x2b])).toBeGreaterThan(5000);
  });

  it.each([1400, 400])('at %i px wide nothing runs off the page and every section and chart is there', { timeout: 120_000 }, async (width) => {
    const file = await reportFile();
    const dom = await chromium([`--window-size=${width},4000`, '--dump-dom', `file://${file}`]);
    expect(dom.stdout).toContain('data-overflow="none"');
    for (const id of ['facts', 'summary', 'latency', 'over-time', 'segments', 'accuracy', 'energy', 'tradeoff', 'slowest']) expect(dom.stdout).toContain(`<section id="${id}">`);
    for (const id of ['chart-cdf-e2e', 'chart-hist-e2e', 'chart-latency-time', 'chart-power', 'chart-segment-latency']) expect(dom.stdout).toContain(`id="${id}"`);
    const shot = path.join(path.dirname(file), `shot-${width}.png`);
    await chromium([`--window-size=${width},2000`, `--screenshot=${shot}`, `file://${file}`]);
    const image = decodePng(await readFile(shot));
    expect(image.width).toBe(width);
    expect(countNear(image, [0x2f, 0x7e, 0xd8])).toBeGreaterThan(1000);
  });

  it('says power was not measured instead of drawing an empty power chart', { timeout: 120_000 }, async () => {
    const file = await reportFile({ power: false });
    const dom = await chromium(['--dump-dom', `file://${file}`]);
    expect(dom.stdout).toContain('Power and energy: not measured');
    expect(dom.stdout).not.toContain('id="chart-power"');
    expect(dom.stdout).toContain('data-charts="11"');
  });
});
