/**
 * A mistake the user can fix (bad flag, bad profile, missing file, malformed dataset).
 * The CLI prints only its message, as one line, and exits with `exitCode`;
 * anything else is a bug and gets a stack trace.
 */
export class UserError extends Error {
  /** Printed as several lines (a server's log tail); otherwise any line break in it (from a file name or an id) becomes a space. */
  readonly multiline: boolean = false;

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A command-line usage mistake (unknown command or flag): exit code 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Best-effort message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
