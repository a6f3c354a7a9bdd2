import { writeFile } from 'node:fs/promises';
import { errorMessage, UserError } from '../core/errors.js';
import { MetricsStore } from '../core/metrics/store.js';
import { startRun } from '../core/run/controller.js';
import { prepareRun, type PrepareDeps } from '../core/run/prepare.js';
import { systemTimers } from '../core/scheduler/timers.js';
import { systemClock } from '../core/clock.js';
import { readSessionLog } from '../core/session/reader.js';
import { runSweep, type SweepPlan } from '../core/sweep/driver.js';
import { parseSweepFlags, type RawSweepFlags, type SweepFlags } from '../core/sweep/flags.js';
import { resumableProbes, summaryOfLog, sweepOfLog } from '../core/sweep/from-log.js';
import { renderSweepHtml } from '../core/sweep/html.js';
import { loadSetting, type ProbeResult } from '../core/sweep/probe.js';
import { probeLine, summarise, summaryText, type SweepSummary } from '../core/sweep/summary.js';
import { defineCommand } from './command.js';
import { workloadFlags } from './workload-flags.js';

const help = `  Usage
    $ duet sweep [flags]

  Finds each policy's capacity under the SLO: for every policy, probes of increasing
  load (doubling, then bisecting) until SLO attainment drops below the target, each probe
  a steady-state window of the one session log. Prints a line per probe, a table at the
  end, and writes an HTML report next to the log. docs/sweep.md explains the statistics.

  Flags
    --policies a,b       policies to compare (default: all eight)
    --slo SPEC           e.g. ttft=500ms,e2e=5s,itl=50ms (itl = TPOT; default: the profile's slo)
    --attainment F       share of questions that must meet the SLO (default 0.9)
    --mode MODE          rate (open loop, q/s; default) or concurrency (closed loop)
    --grid 1,2,4,8       probe these loads only, instead of searching
    --start N            first load of the search (default 2 q/s, or concurrency 1)
    --min N              lowest load the search tries (default: an eighth of --start, or 1)
    --max N              highest load the search tries (default 1000 q/s, or 1024)
    --probe-questions N  measured questions per probe (default: the fewest that can pass, 35 at 0.9;
                         53 lets one late answer pass)
    --probe-warmup N     questions left out at the start of each probe (default: the load's in-flight count, at least 4)
    --max-probes N       probes per policy at most (default 6)
    --report FILE        HTML report path (default: the log's path with .sweep.html)
    --resume LOG         continue an interrupted sweep: its finished probes are kept, the rest run (into a new log)
    --from LOG           no run: print the table and write the report of a sweep's log
    --json               the probe lines and the summary as JSON lines
    --headless           accepted for symmetry with run (the sweep always prints lines)
    --profile, --seed, --shuffle, --warmup, --dataset, --prompt-mode, --telemetry,
    --log, --no-log      as for duet run

  Exit status: 0 when the sweep finished, 1 when it could not (or was interrupted), 2 for a bad flag.
`;

export interface SweepIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signals?: NodeJS.EventEmitter;
  prepare?: Partial<PrepareDeps>;
}

export const command = defineCommand({
  name: 'sweep',
  summary: "find each policy's capacity under the SLO and the trade-off between them",
  help,
  flags: {
    ...workloadFlags,
    policies: { type: 'string' },
    slo: { type: 'string' },
    attainment: { type: 'string' },
    mode: { type: 'string' },
    grid: { type: 'string' },
    start: { type: 'string' },
    min: { type: 'string' },
    max: { type: 'string' },
    probeQuestions: { type: 'string' },
    probeWarmup: { type: 'string' },
    maxProbes: { type: 'string' },
    report: { type: 'string' },
    resume: { type: 'string' },
    from: { type: 'string' },
  },
  async run({ flags }) {
    return sweepCommand(parseSweepFlags({ ...(flags as RawSweepFlags), headless: true }), { stdout: process.stdout, stderr: process.stderr });
  },
});

const handledSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function sweepCommand(flags: SweepFlags, io: SweepIo): Promise<number> {
  const progress = (line: string) => void io.stderr.write(`${line}\n`);
  const print = (line: string) => void io.stdout.write(`${line}\n`);
  if (flags.from) {
    const summary = summaryOfLog(await readSessionLog(flags.from));
    if (!summary) throw new UserError(`${flags.from}: not a sweep's log (no probe segments)`);
    return finish(summary, flags, io, flags.from);
  }
  const resumed = flags.resume ? await resumeFrom(flags) : [];
  const firstPolicy = flags.policies[0]!;
  const firstLoad = loadSetting(flags.mode, flags.grid?.[0] ?? flags.start);
  const prepared = await prepareRun(
    { ...flags.run, overrides: { ...flags.run.overrides, policy: firstPolicy as never, ...(firstLoad.mode === 'open' ? { rate: firstLoad.rate } : { concurrency: firstLoad.concurrency }) } },
    { progress, ...io.prepare },
  );
  const profile = prepared.profile;
  if (flags.slo) profile.slo = flags.slo;
  const slo = profile.slo;
  if (slo.ttftMs === undefined && slo.tpotMs === undefined && slo.e2eMs === undefined) {
    throw new UserError(`${profile.path}: slo: a sweep needs a latency SLO to search against (set slo.e2eMs in the profile, or --slo e2e=5s)`);
  }
  const probeQuestions = flags.probeQuestions;
  const maxProbes = flags.grid?.length ?? flags.maxProbes;
  // Enough questions for every probe, warm-up and cool-down included (a fast system answers
  // many while the driver looks): the dataset is repeated rather than running out first.
  const needed = Math.max(20_000, flags.policies.length * maxProbes * (probeQuestions * 3 + 200));
  profile.workload.repeat = Math.max(profile.workload.repeat, Math.ceil(needed / prepared.options.questions.length));
  delete profile.workload.limit;
  delete profile.workload.duration;
  prepared.options.metrics = new MetricsStore({ slo });
  const plan: SweepPlan = {
    mode: flags.mode,
    policies: flags.policies,
    attainment: flags.attainment,
    probeQuestions,
    ...(flags.probeWarmup === undefined ? {} : { probeWarmup: flags.probeWarmup }),
    ...(flags.grid ? { grid: flags.grid } : {}),
    start: flags.start,
    min: flags.min,
    max: flags.max,
    // Bisect until the bracket is within 25%: two probes after the first failure of a doubling.
    tolerance: 0.25,
    maxProbes,
    maxProbeMs: 300_000,
    // Unanswered measured questions count as misses once they are surely late.
    answerWaitMs: Math.max(slo.e2eMs ?? 0, slo.ttftMs ?? 0, 5000) * 2,
    resumed,
  };
  const { A, B } = prepared.options.engines;
  progress(`duet: starting A ${A.info().label} and B ${B.info().label}...`);
  const started = Date.now();
  const run = await startRun(prepared.options);
  const signals = io.signals ?? process;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    progress(`duet: ${signal}, stopping the sweep (the log keeps every finished probe; --resume continues it)`);
    void run.end('signal', signal);
  };
  for (const signal of handledSignals) signals.on(signal, onSignal);
  let outcome;
  try {
    progress(`duet: sweeping ${plan.policies.join(', ')} in ${plan.mode} mode, ${probeQuestions} measured questions a probe; log ${run.logPath ?? '(none)'}`);
    outcome = await runSweep(run, plan, {
      clock: prepared.options.clock ?? systemClock,
      timers: systemTimers,
      onProbe: (probe, wasResumed) => print(flags.run.json ? JSON.stringify({ type: 'probe', resumed: wasResumed, ...probe }) : probeLine(probe, wasResumed)),
    });
    run.send({ type: 'quit' });
    const ended = await run.finished;
    if (outcome.interrupted && ended.reason === 'finished') progress('duet: the questions ran out before the sweep finished; --resume <log> continues it');
  } finally {
    for (const signal of handledSignals) signals.off(signal, onSignal);
  }
  const synthetic = Boolean(A.info().synthetic || B.info().synthetic);
  const summary = summarise(outcome.policies, {
    mode: plan.mode,
    slo,
    attainment: plan.attainment,
    interrupted: outcome.interrupted,
    synthetic,
    elapsedMs: Date.now() - started,
    ...(run.logPath ? { logPath: run.logPath } : {}),
  });
  const code = await finish(summary, flags, io, run.logPath);
  return outcome.interrupted ? 1 : code;
}

async function resumeFrom(flags: SweepFlags): Promise<ProbeResult[]> {
  const logged = sweepOfLog(await readSessionLog(flags.resume!));
  if (logged.probes.length === 0) throw new UserError(`--resume ${flags.resume}: not a sweep's log (no probe segments)`);
  if (logged.mode !== flags.mode) throw new UserError(`--resume ${flags.resume}: that sweep ran in ${logged.mode} mode; add --mode ${logged.mode}`);
  if (logged.attainment !== flags.attainment) throw new UserError(`--resume ${flags.resume}: that sweep's attainment target was ${logged.attainment}; add --attainment ${logged.attainment}`);
  return resumableProbes(logged);
}

/** Prints the table (or JSON) and writes the HTML report. */
async function finish(summary: SweepSummary, flags: SweepFlags, io: SweepIo, logPath: string | undefined): Promise<number> {
  const reportPath = flags.report ?? (logPath ? `${logPath.replace(/\.jsonl?$/i, '')}.sweep.html` : undefined);
  if (reportPath) {
    try {
      await writeFile(reportPath, renderSweepHtml(summary), { encoding: 'utf8', mode: 0o600 });
    } catch (error) {
      throw new UserError(`--report ${reportPath}: cannot write (${errorMessage(error)})`);
    }
  }
  if (flags.run.json) io.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, ...(reportPath ? { reportPath } : {}) })}\n`);
  else io.stdout.write(`${summaryText(summary)}${reportPath ? `sweep report: ${reportPath}\n` : ''}`);
  return summary.policies.some((p) => p.probes.length > 0) ? 0 : 1;
}
