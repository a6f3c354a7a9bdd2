import { execa } from 'execa';

/** What one run of an external tool produced. Never throws for tool failures. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode?: number;
  timedOut: boolean;
  /** The spawn itself failed: 'ENOENT' (not found), 'EACCES' (not executable), ... */
  spawnError?: string;
}

/** Runs a tool with an argument array (never a shell), killing it after timeoutMs. */
export type CommandRunner = (file: string, args: readonly string[], options: { timeoutMs: number }) => Promise<CommandResult>;

export const execaRunner: CommandRunner = async (file, args, { timeoutMs }) => {
  const result = await execa(file, [...args], {
    timeout: timeoutMs,
    // A hung driver call does not deserve a grace period; SIGKILL frees the tool at once.
    killSignal: 'SIGKILL',
    reject: false,
    stdin: 'ignore',
    encoding: 'utf8',
  });
  const spawnError = typeof result.code === 'string' && !result.timedOut && result.exitCode === undefined ? result.code : undefined;
  return {
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
    timedOut: result.timedOut,
    ...(spawnError ? { spawnError } : {}),
  };
};

/** A source that cannot work on this machine at all (tool missing, files absent). */
export class SourceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailableError';
  }
}

/** The first line worth showing from a tool's output, cut to a readable length. */
export function firstLine(...texts: string[]): string | undefined {
  for (const text of texts) {
    const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
    if (line) return line.length > 160 ? `${line.slice(0, 157)}...` : line;
  }
  return undefined;
}

/**
 * Runs a tool and returns its stdout, or throws one clear line: not found / not
 * executable (SourceUnavailableError), timed out, or failed with its own error line.
 */
export async function runTool(
  runner: CommandRunner,
  tool: { file: string; label: string; setting: string },
  args: readonly string[],
  timeoutMs: number,
): Promise<string> {
  const command = [tool.label, ...args].join(' ');
  const result = await runner(tool.file, args, { timeoutMs });
  if (result.spawnError === 'ENOENT') {
    throw new SourceUnavailableError(`${tool.label} not found (looked for "${tool.file}"; set ${tool.setting})`);
  }
  if (result.spawnError) throw new SourceUnavailableError(`cannot run ${tool.label} at "${tool.file}": ${result.spawnError}`);
  if (result.timedOut) throw new Error(`${command} timed out after ${timeoutMs} ms`);
  if (result.exitCode !== 0) {
    const line = firstLine(result.stderr, result.stdout) ?? 'no output';
    throw new Error(`${command} failed (exit ${result.exitCode ?? '?'}): ${line}`);
  }
  return result.stdout;
}
