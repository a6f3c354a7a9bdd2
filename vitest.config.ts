import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Component tests render to a fake terminal; Ink would print only final frames if it
    // believed it ran in CI (it reads these once, at import).
    env: { CI: '0', CONTINUOUS_INTEGRATION: '0' },
  },
});
