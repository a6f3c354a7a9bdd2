import type { AnyFlags, Result } from 'meow';

/**
 * One `duet <name>` subcommand. The CLI parses flags with meow from `flags`, rejects
 * unknown ones, handles --help, then calls run(). run() returns the exit code; user
 * mistakes are thrown as UserError and printed as one line by the CLI.
 */
export interface Command<F extends AnyFlags = AnyFlags> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and flag help, shown by `duet <name> --help`. */
  help: string;
  flags: F;
  run(cli: Pick<Result<F>, 'input' | 'flags'>): Promise<number>;
}

/** Identity helper that keeps the flag types of a command literal. */
export function defineCommand<F extends AnyFlags>(command: Command<F>): Command<F> {
  return command;
}
