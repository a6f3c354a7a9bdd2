// Preloaded into a duet process (node --import) by bench/tui.ts: measures the main thread's
// event-loop lag every 10 ms (how late a 10 ms timer fires) and, at exit, writes the samples
// as JSON [[t, lagMs], ...] to the file in env DUET_BENCH_LOOP_LAG. `t` is performance.now()
// of this thread, the clock of duet's session log, so the benchmark can keep only the
// samples taken while questions were answered (not start-up or model loading).
// Plain JS: it loads before tsx is registered.
import { writeFileSync } from 'node:fs';

const out = process.env.DUET_BENCH_LOOP_LAG;
if (out) {
  const samples = [];
  const interval = 10;
  let expected = performance.now() + interval;
  const timer = setInterval(() => {
    const now = performance.now();
    samples.push([Math.round(now), Math.max(0, Math.round((now - expected) * 100) / 100)]);
    expected = now + interval;
  }, interval);
  timer.unref();
  process.on('exit', () => writeFileSync(out, JSON.stringify(samples)));
}
