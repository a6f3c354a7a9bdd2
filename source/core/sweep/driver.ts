import type { Clock } from '../clock.js';
import type { RunHandle } from '../controller.js';
import type { SegmentSummary } from '../metrics/snapshot.js';
import { delay, type Timers } from '../scheduler/timers.js';
import { isCertainFail, isOverSaturated, judgeProbe, loadSetting, probeWarmupFor, type ProbeResult } from './probe.js';
import { CapacitySearch, GridPoints, type LoadPlan, type SearchResult, type SweepMode } from './search.js';

export interface SweepPlan {
  mode: SweepMode;
  policies: string[];
  /** SLO attainment target (0-1). */
  attainment: number;
  /** Measured questions per probe, and warm-up questions before them (default: probeWarmupFor). */
  probeQuestions: number;
  probeWarmup?: number;
  /** Fixed loads instead of the search. */
  grid?: number[];
  start: number;
  min: number;
  max: number;
  tolerance: number;
  maxProbes: number;
  /** Longest a probe runs (ms), answers included; also the longest wait for a backlog to drain. */
  maxProbeMs: number;
  /** How long after the last measured question is issued its answers are waited for (ms); later ones count as misses. */
  answerWaitMs: number;
  /** How often the driver reads the run's snapshot (ms; default 200). */
  pollMs?: number;
  /** Probes of an interrupted sweep to resume from, in the order they ran. */
  resumed?: ProbeResult[];
}

export interface PolicySweep {
  policy: string;
  probes: ProbeResult[];
  search: SearchResult;
}

export interface SweepOutcome {
  policies: PolicySweep[];
  /** True when the run ended (signal, error, dataset exhausted) before the sweep did. */
  interrupted: boolean;
}

export interface SweepDeps {
  clock: Clock;
  timers: Timers;
  onProbe?(probe: ProbeResult, resumed: boolean): void;
}

/**
 * Drives a started run through the sweep with the run's public commands only: for each
 * policy, setPolicy, then one setLoad per probe carrying the probe's window, so every
 * probe is a segment of the one session log and its figures come from the metrics store
 * (the same ones replay and report compute). After a failed probe, issuing pauses until
 * the backlog it left has drained, so the next probe does not inherit its queue.
 */
export async function runSweep(run: RunHandle, plan: SweepPlan, deps: SweepDeps): Promise<SweepOutcome> {
  let ended = false;
  void run.finished.then(() => (ended = true));
  const policies: PolicySweep[] = [];
  let lastVerdict: ProbeResult['verdict'] | undefined;
  for (const policy of plan.policies) {
    const search: LoadPlan = plan.grid ? new GridPoints(plan.grid) : new CapacitySearch({ mode: plan.mode, start: plan.start, min: plan.min, max: plan.max, tolerance: plan.tolerance, maxProbes: plan.maxProbes });
    const probes: ProbeResult[] = [];
    for (const probe of plan.resumed ?? []) {
      if (probe.policy !== policy || probe.mode !== plan.mode || search.next() !== probe.load) continue;
      search.record(probe.load, probe.verdict);
      probes.push(probe);
      deps.onProbe?.(probe, true);
    }
    for (let load = search.next(); load !== undefined; load = search.next()) {
      if (ended) break;
      const probe = await runProbe(run, policy, load, plan, deps, () => ended, lastVerdict === 'fail');
      if (!probe) break;
      search.record(load, probe.verdict);
      probes.push(probe);
      lastVerdict = probe.verdict;
      deps.onProbe?.(probe, false);
    }
    if (search.next() !== undefined) search.abandon();
    policies.push({ policy, probes, search: search.result() });
  }
  // End the last probe's segment where it was judged (its late answers stay out of it).
  const last = run.snapshot();
  if (!ended && last.segments.at(-1)?.probe) run.send({ type: 'setLoad', load: last.load });
  return { policies, interrupted: ended };
}

/**
 * One probe; undefined when the run ended before it was done (its partial segment stays in
 * the log). With `drainFirst` (after a failed probe), issuing pauses as the new segment
 * starts, until the backlog the last probe left is answered: the old probe's segment ends
 * the moment it was judged, and the new one's questions do not inherit its queue.
 */
async function runProbe(run: RunHandle, policy: string, load: number, plan: SweepPlan, deps: SweepDeps, ended: () => boolean, drainFirst: boolean): Promise<ProbeResult | undefined> {
  const setting = loadSetting(plan.mode, load);
  const window = { skip: plan.probeWarmup ?? probeWarmupFor(setting), count: plan.probeQuestions, attainment: plan.attainment };
  const before = run.snapshot().segments.at(-1)?.index ?? -1;
  const drain = drainFirst && backlog(run) > 0;
  if (drain) run.send({ type: 'pause', paused: true });
  run.send({ type: 'setPolicy', policy });
  run.send({ type: 'setLoad', load: setting, probe: window });
  // A run that is stopping ignores commands: then no new probe segment starts.
  const started = run.snapshot().segments.at(-1);
  if (!started?.probe || started.index <= before || started.policy !== policy) return undefined;
  if (drain) await drainBacklog(run, plan, deps, ended);
  const t0 = deps.clock.now();
  let segment: SegmentSummary = started;
  for (;;) {
    await delay(deps.timers, plan.pollMs ?? 200);
    if (ended()) return undefined;
    segment = run.snapshot().segments.find((s) => s.index === started.index) ?? segment;
    const figures = segment.probe!;
    const now = deps.clock.now();
    if (figures.done >= window.count) break;
    if (isOverSaturated(figures, plan.mode) || isCertainFail(figures)) break;
    if (figures.issued >= window.count && figures.tLastIssue !== undefined && now - figures.tLastIssue >= plan.answerWaitMs) break;
    if (now - t0 >= plan.maxProbeMs) break;
  }
  return judgeProbe(segment);
}

function backlog(run: RunHandle): number {
  const s = run.snapshot();
  return s.issued - s.done;
}

/** Waits (issuing paused) until every question in flight is answered, or maxProbeMs passes; then resumes. */
async function drainBacklog(run: RunHandle, plan: SweepPlan, deps: SweepDeps, ended: () => boolean): Promise<void> {
  const t0 = deps.clock.now();
  while (!ended() && backlog(run) > 0 && deps.clock.now() - t0 < plan.maxProbeMs) await delay(deps.timers, plan.pollMs ?? 200);
  run.send({ type: 'pause', paused: false });
}
