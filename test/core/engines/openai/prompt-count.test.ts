import { describe, expect, it } from 'vitest';
import { PromptCountCheck } from '../../../../source/core/engines/openai/prompt-count.js';

describe('PromptCountCheck', () => {
  it('stays quiet within a few tokens and without a server count', () => {
    const check = new PromptCountCheck();
    expect(check.check('A', 412, 416)).toBeUndefined();
    expect(check.check('A', 412, 408)).toBeUndefined();
    expect(check.check('A', 412, undefined)).toBeUndefined();
  });

  it('warns once per model when the counts differ by more, naming both counts', () => {
    const check = new PromptCountCheck();
    expect(check.check('A', 412, 438)).toBe(
      'model "A": the server counts 438 prompt tokens where duet counts 412 (+26): the tokenizer or chat template duet uses is not the served model\'s; figures use the server\'s counts',
    );
    expect(check.check('A', 100, 300)).toBeUndefined();
    expect(check.check('B', 412, 400)).toMatch(/counts 400 prompt tokens where duet counts 412 \(-12\)/);
  });
});
