/**
 * Ink decides once, when it is first imported, whether it runs in CI (env CI or
 * CONTINUOUS_INTEGRATION set), and there it prints only the final frame. duet draws the
 * live screen only on a terminal that someone is watching, so on a TTY that guess is
 * wrong: turn it off before ink loads. Import this module before anything imports ink.
 */
export function watchedTerminalEnv(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): void {
  if (!stdoutIsTty) return;
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (key in env) env[key] = '0';
}

watchedTerminalEnv(process.env, process.stdout.isTTY === true);
