import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('architecture', () => {
  it('keeps the core headless: nothing under source/core imports ink, react or the app', () => {
    const offenders = sourceFiles('source/core').filter((file) =>
      /from\s+['"](ink|react|ink-[^'"]*|[^'"]*\/app\/[^'"]*)['"]/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
