#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a fresh clone needs no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// React (the live screen) picks its build from NODE_ENV when loaded: decide before anything
// loads. Unset means the development build, whose checks cost each live-screen frame ~60%
// more; an explicit value is left alone.
process.env.NODE_ENV ??= 'production';

// duet's own tsconfig, wherever it is run from (tsx would otherwise look in the working
// directory, and the screen's JSX would compile without the automatic React runtime).
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../source/cli.tsx');
