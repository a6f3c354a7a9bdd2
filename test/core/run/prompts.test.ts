import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../source/core/clock.js';
import type { RunPrompt, RunQuestion } from '../../../source/core/run/options.js';
import { PromptPrefetch } from '../../../source/core/run/prompts.js';

const question = (id: string): RunQuestion => ({ id, question: `${id}?`, answers: [], isImpossible: true });
const prompt = (id: string): RunPrompt => ({ messages: [{ role: 'user', content: id }], promptText: id, promptIds: [1], promptTokens: 1, contextTrimmed: false });
const idle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('PromptPrefetch', () => {
  it('builds planned prompts in the background, once each, keeping the time each build took', async () => {
    const clock = new ManualClock();
    const built: string[] = [];
    const prefetch = new PromptPrefetch<RunQuestion>((q) => {
      built.push(q.id);
      clock.advance(q.id === 'b' ? 7 : 3); // tokenising takes time
      return prompt(q.id);
    }, clock);
    const [a, b, c] = [question('a'), question('b'), question('c')];
    prefetch.plan([a, b, c]);
    expect(built).toEqual([]); // nothing on the caller's tick
    for (let i = 0; i < 4; i++) await idle();
    expect(built).toEqual(['a', 'b', 'c']);
    clock.advance(1000); // asked for much later: prepMs is the build's, not the wait's
    expect(await prefetch.get(b)).toEqual({ prompt: prompt('b'), prepMs: 7 });
    expect(built).toEqual(['a', 'b', 'c']);
    // Taken once: asking again builds again (a repeated pass over the dataset).
    await prefetch.get(b);
    expect(built).toEqual(['a', 'b', 'c', 'b']);
  });

  it('builds on demand what was not planned or not reached yet', async () => {
    const clock = new ManualClock();
    const prefetch = new PromptPrefetch<RunQuestion>((q) => {
      clock.advance(5);
      return prompt(q.id);
    }, clock);
    expect(await prefetch.get(question('x'))).toMatchObject({ prepMs: 5 });
  });

  it('keeps a failed build for its own question only', async () => {
    const prefetch = new PromptPrefetch<RunQuestion>((q) => {
      if (q.id === 'bad') throw new Error('context is not text');
      return prompt(q.id);
    }, new ManualClock());
    const [good, bad] = [question('good'), question('bad')];
    prefetch.plan([bad, good]);
    for (let i = 0; i < 4; i++) await idle();
    await expect(prefetch.get(bad)).rejects.toThrow('context is not text');
    await expect(prefetch.get(good)).resolves.toMatchObject({ prompt: prompt('good') });
  });
});
