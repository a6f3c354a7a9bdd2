import meow, { type AnyFlags } from 'meow';
import { readFileSync } from 'node:fs';
import { errorMessage, isUserError, UsageError } from './core/errors.js';
import { terminalSafe } from './core/text/sanitize.js';
import type { Command } from './commands/command.js';
import { closest } from './commands/suggest.js';

/** Subcommands, loaded on demand so that `duet score` never pays for onnxruntime or ink. */
const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  run: { summary: 'run both models on a workload, live (default)', load: () => import('./commands/run.js') },
  score: { summary: 'score SQuAD 2.0 predictions like the official evaluate-v2.0.py', load: () => import('./commands/score.js') },
  telemetry: { summary: 'print power, utilisation and memory samples', load: () => import('./commands/telemetry.js') },
  serve: { summary: 'serve an ONNX model folder over the OpenAI API', load: () => import('./commands/serve.js') },
  replay: { summary: 'play a session log back on the live screen', load: () => import('./commands/replay.js') },
  report: { summary: 'turn a session log into an HTML, Markdown or JSON report', load: () => import('./commands/report.js') },
  compare: { summary: 'compare two or more session logs side by side', load: () => import('./commands/compare.js') },
  export: { summary: 'one row per request of a session log, as CSV, JSON lines or Parquet', load: () => import('./commands/export.js') },
  'make-demo-models': { summary: 'generate the synthetic-weight demo models', load: () => import('./commands/make-demo-models.js') },
  doctor: { summary: 'check what a run needs, with a fix for each problem', load: () => import('./commands/doctor.js') },
  sweep: { summary: "find each policy's capacity under the SLO and the trade-off between them", load: () => import('./commands/sweep.js') },
};

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const globalFlags = { debug: { type: 'boolean', default: false } } as const;

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `    ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return `duet ${pkg.version}: two Llama models side by side, live

  Usage
    $ duet [command] [flags]

  Commands
${list}

  Global flags
    --help      help for duet or for a command (duet run --help)
    --version   print the version
    --debug     print stack traces on errors
`;
}

/** The flags a command accepts, as typed on the command line (kebab-case, without dashes). */
function knownFlags(flags: AnyFlags): Set<string> {
  const known = new Set(['help', 'version', 'debug']);
  for (const [name, spec] of Object.entries(flags)) {
    known.add(kebab(name));
    if (spec.shortFlag) known.add(spec.shortFlag);
    for (const alias of spec.aliases ?? []) known.add(kebab(alias));
  }
  return known;
}

/** Flags given on the command line that the command does not define, each with the closest known one. */
function unknownFlags(argv: string[], flags: AnyFlags): { flag: string; suggestion?: string }[] {
  const known = knownFlags(flags);
  const unknown: { flag: string; suggestion?: string }[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const match = /^--?(?:no-)?([^=]+)/.exec(arg);
    if (!match || /^-\d/.test(arg)) continue;
    if (known.has(match[1]!)) continue;
    const suggestion = closest(match[1]!, [...known].filter((name) => name.length > 1));
    unknown.push({ flag: arg.split('=')[0]!, ...(suggestion === undefined ? {} : { suggestion: `--${suggestion}` }) });
  }
  return unknown;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) {
    if (argv.includes('--version')) return print(pkg.version);
    if (argv.includes('--help') || argv.includes('-h')) return print(mainHelp());
  }
  const name = first !== undefined && !first.startsWith('-') ? first : 'run';
  const rest = name === first ? argv.slice(1) : argv;
  const entry = commands[name];
  if (!entry) {
    const suggestion = closest(name, Object.keys(commands));
    throw new UsageError(`unknown command "${name}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; run duet --help for the list`);
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) return print(`duet ${name}: ${command.summary}\n\n${command.help}`);
  if (rest.includes('--version')) return print(pkg.version);
  const bad = unknownFlags(rest, command.flags);
  if (bad.length > 0) {
    const listed = bad.map((b) => (b.suggestion ? `${b.flag} (did you mean ${b.suggestion}?)` : b.flag)).join(', ');
    throw new UsageError(`${name}: unknown flag ${listed}; run duet ${name} --help for the list`);
  }
  let parsed;
  try {
    parsed = meow({
      importMeta: import.meta,
      argv: rest,
      flags: { ...command.flags, ...globalFlags },
      allowUnknownFlags: true,
      autoHelp: false,
      autoVersion: false,
      booleanDefault: undefined,
    });
  } catch (error) {
    throw new UsageError(`${name}: ${errorMessage(error).split('\n').join(' ')}`);
  }
  return command.run({ input: parsed.input, flags: parsed.flags });
}

function print(text: string): number {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

const debug = process.argv.includes('--debug');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isUserError(error) && !debug) {
    process.stderr.write(`duet: ${terminalSafe(error.message, { multiline: error.multiline })}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`duet: ${terminalSafe((debug && error instanceof Error ? error.stack : undefined) ?? errorMessage(error), { multiline: true })}\n`);
    process.exitCode = isUserError(error) ? error.exitCode : 1;
  }
}
