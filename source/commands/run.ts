import type { RunOutcome } from '../core/controller.js';
import { exportRun } from '../core/exporter/attach.js';
import { runHeadless, summaryText } from '../core/headless/index.js';
import { startRun } from '../core/run/controller.js';
import { parseRunFlags, type RawRunFlags, type RunFlags } from '../core/run/flags.js';
import { prepareRun, type PrepareDeps } from '../core/run/prepare.js';
import { terminalSafe } from '../core/text/sanitize.js';
import { errorMessage } from '../core/errors.js';
import { lowerThreadPriority } from '../core/plane/priority.js';
import { defineCommand } from './command.js';
import { workloadFlags } from './workload-flags.js';

/** Nice levels the main thread gives up to the measuring threads (bench:client: stamp error p99 at c64 with the screen 17 -> 5.5 ms). */
const MAIN_THREAD_NICE = 5;

const help = `  Usage
    $ duet run [flags]

  Runs the profile's two models (A small, B large) on SQuAD 2.0 questions and shows
  latency, throughput, exact match / F1 and power live; --headless prints a status line
  per second instead, and a summary at the end. Every run writes a session log.

  Flags
    --profile PATH       YAML profile (default: profiles/default.yaml)
    --headless           no live screen: a status line per second, then the summary
    --json               with --headless: one JSON object per second, the summary as JSON
    --concurrency N      closed loop: N questions outstanding at all times
    --rate R             open loop: R questions/s, Poisson arrivals (--request-rate R)
    --max-concurrency N  with --rate: at most N outstanding (arrivals wait for an
                         answer); alone: the same as --concurrency N
    --burstiness B       open loop: gamma shape of arrivals (1 Poisson, < 1 burstier)
    --policy NAME        round-robin, shortest-queue, weighted, small-only, large-only,
                         mirror, slo, cascade
    --limit N            ask at most N questions (after warm-up; --num-prompts N)
    --duration 5m        stop issuing after this long (500ms, 30s, 5m, 1h;
                         --max-seconds S)
    --input-tokens N     prompt budget (workload.inputTokens, default 512)
    --max-new-tokens N   output cap (workload.maxNewTokens, default 128)
    --weight W           weighted policy: share of traffic to A, 0 to 1
    --cascade-threshold X  cascade: escalate when A's mean log-prob is below X
    --slo-ttft-ms N, --slo-tpot-ms N, --slo-e2e-ms N
                         SLOs for goodput and the slo policy (slo: in the profile)
    --seed N             seed for shuffling and arrivals
    --shuffle            ask the questions in a seeded random order
    --warmup N           N warm-up questions first, left out of every figure
    --dataset PATH       SQuAD 2.0 JSON file
    --prompt-mode MODE   max (fit the context in the token budget) or exact (fill it)
    --telemetry SOURCE   auto, npu-smi, nvidia-smi, rapl, prometheus, system or none
    --log PATH           session log path (default: logs/<start>-<profile>.jsonl)
    --append-log         add this run to an existing --log file instead of refusing it
    --no-log             do not write a session log
    --metrics-port N     serve live figures for Prometheus at /metrics on port N (0 = any)
    --metrics-host ADDR  address for --metrics-port (default 127.0.0.1, loopback only)

  Exit status: 0 on success, 1 when nothing could be answered, 2 for a bad flag,
  130 / 143 when stopped by SIGINT / SIGTERM (the summary is printed first).
`;

export interface RunIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Where SIGINT/SIGTERM arrive (default: process). */
  signals?: NodeJS.EventEmitter;
  prepare?: Partial<PrepareDeps>;
}

export const command = defineCommand({
  name: 'run',
  summary: 'run both models on a workload, live (default)',
  help,
  flags: {
    ...workloadFlags,
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    requestRate: { type: 'string' },
    maxConcurrency: { type: 'string' },
    burstiness: { type: 'string' },
    numPrompts: { type: 'string' },
    maxSeconds: { type: 'string' },
    inputTokens: { type: 'string' },
    maxNewTokens: { type: 'string' },
    weight: { type: 'string' },
    cascadeThreshold: { type: 'string' },
    sloTtftMs: { type: 'string' },
    sloTpotMs: { type: 'string' },
    sloE2eMs: { type: 'string' },
    policy: { type: 'string' },
    limit: { type: 'string' },
    duration: { type: 'string' },
    appendLog: { type: 'boolean' },
    metricsPort: { type: 'string' },
    metricsHost: { type: 'string' },
  },
  async run({ flags }) {
    return runCommand(parseRunFlags(flags as RawRunFlags), { stdout: process.stdout, stderr: process.stderr });
  },
});

/** 128 + the signal number, as shells report a process ended by that signal. SIGHUP: the terminal or ssh session went away. */
const signalExitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const handledSignals = Object.keys(signalExitCodes) as NodeJS.Signals[];

/** The run itself: prepare, start, hand to the live screen or the headless printer, summarise. */
export async function runCommand(flags: RunFlags, io: RunIo): Promise<number> {
  const progress = (line: string) => void io.stderr.write(`${terminalSafe(line, { multiline: true })}\n`);
  const prepared = await prepareRun(flags, { progress, ...io.prepare });
  const interactive = !flags.headless && io.stdout.isTTY === true;
  if (!flags.headless && !interactive) progress('duet: stdout is not a terminal, so running headless (a status line per second)');
  const { A, B } = prepared.options.engines;
  // Loading models can take a while (seconds to minutes on a busy CPU): say what is happening.
  progress(`duet: starting A ${A.info().label} and B ${B.info().label}...`);
  // Load the screen's code (ink, react, compiled on the fly) before the first question is
  // issued, so it does not compete with the run it is about to show. Headless never loads it.
  const live = interactive ? await import('../app/live.js') : undefined;
  const run = await startRun(prepared.options);
  // The measuring threads exist now: when answers stream over HTTP, the main thread (screen,
  // metrics, log) steps back behind them, so a frame never delays a timestamp on a busy CPU.
  if (prepared.options.measuring?.plane) lowerThreadPriority(MAIN_THREAD_NICE);
  const exporter = await exportRun(run, prepared, flags, progress);
  const signals = io.signals ?? process;
  let signalExit: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": leave without waiting for the grace period.
    if (signalExit !== undefined) process.exit(signalExit);
    signalExit = signalExitCodes[signal] ?? 130;
    progress(`duet: ${signal}, stopping (answers in flight get a few seconds; again to exit now)`);
    void run.end('signal', signal);
  };
  for (const signal of handledSignals) signals.on(signal, onSignal);
  // stdout closed under us (duet run --headless | head -1): that reader has seen enough, so
  // the run ends as if quit, every question issued so far still recorded in the log.
  let stdoutOpen = true;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (!stdoutOpen) return;
    stdoutOpen = false;
    progress(`duet: stdout closed (${error.code ?? error.message}), stopping as if quit`);
    void run.end('quit', 'stdout closed');
  };
  io.stdout.on('error', onStdoutError);
  const write = (text: string) => {
    if (stdoutOpen) io.stdout.write(terminalSafe(text, { multiline: true }));
  };
  let outcome: RunOutcome;
  try {
    if (live) {
      outcome = await live.runLive(run, { mode: 'live', title: prepared.title, stdout: io.stdout as NodeJS.WriteStream }).catch(async (error: unknown) => {
        // The screen failed, not the run: end it cleanly (log closed, servers stopped) before saying why.
        await run.end('error', `live screen: ${errorMessage(error)}`);
        throw error;
      });
      write(summaryText(outcome));
    } else {
      outcome = await runHeadless(run, { json: flags.json, write });
    }
  } finally {
    await exporter?.close();
    // Errors after the end (the summary's write to a closed pipe) must not become uncaught.
    io.stdout.off('error', onStdoutError);
    io.stdout.on('error', () => undefined);
    for (const signal of handledSignals) signals.off(signal, onSignal);
  }
  return signalExit ?? outcome.exitCode;
}
