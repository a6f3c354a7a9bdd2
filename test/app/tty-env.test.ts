import { describe, expect, it } from 'vitest';
import { watchedTerminalEnv } from '../../source/app/tty-env.js';

describe('watchedTerminalEnv', () => {
  it('turns off the CI guess on a terminal, so Ink draws every frame of the live screen', () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CONTINUOUS_INTEGRATION: '1', PATH: '/bin' };
    watchedTerminalEnv(env, true);
    expect(env).toEqual({ CI: '0', CONTINUOUS_INTEGRATION: '0', PATH: '/bin' });
  });

  it('leaves the environment alone without a terminal, and adds nothing that was not set', () => {
    const piped: NodeJS.ProcessEnv = { CI: 'true' };
    watchedTerminalEnv(piped, false);
    expect(piped).toEqual({ CI: 'true' });
    const local: NodeJS.ProcessEnv = {};
    watchedTerminalEnv(local, true);
    expect(local).toEqual({});
  });
});

