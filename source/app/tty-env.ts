/**
 * Ink decides once, when it is first imported, whether it runs in CI (env CI or
 * CONTINUOUS_INTEGRATION set), and there it prints only the final frame. duet draws the
 * live screen only on a terminal that someone is watching, so on a TTY that guess is
 * wrong: turn it off before ink loads. Import this module before anything imports ink.
 *
 * React picks its build from NODE_ENV when first loaded; unset means the development
 * build, whose checks made each frame of the live screen about a third dearer. Nobody
 * develops React components inside a duet run: unset becomes production (an explicit
 * value, such as vitest's "test", is left alone).
 */
export function watchedTerminalEnv(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): void {
  if (!stdoutIsTty) return;
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (key in env) env[key] = '0';
}

export function productionReactEnv(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === undefined || env.NODE_ENV === '') env.NODE_ENV = 'production';
}

watchedTerminalEnv(process.env, process.stdout.isTTY === true);
productionReactEnv(process.env);
