import type { Clock } from '../clock.js';
import type { RunPrompt, RunQuestion } from './options.js';

export interface BuiltPrompt {
  prompt: RunPrompt;
  /** How long it took to build (the question's preprocessing). */
  prepMs: number;
}

/**
 * Builds prompts ahead of the questions that need them, one at a time between other work
 * (setImmediate), so a question's send is not held up by its own tokenising: a closed
 * loop sends the replacement in the tick its predecessor's answer arrives, and an open
 * loop's send is ready before its arrival. A question not built in time is built on
 * demand (its send lag then shows it). A build that fails rejects for that question only.
 */
export class PromptPrefetch<Q extends RunQuestion> {
  private readonly ready = new Map<Q, Promise<BuiltPrompt>>();
  private queue: Q[] = [];
  private working = false;

  constructor(
    private readonly build: (question: Q) => RunPrompt | Promise<RunPrompt>,
    private readonly clock: Clock,
  ) {}

  /** The question's prompt: the one built ahead, or built now. */
  get(question: Q): Promise<BuiltPrompt> {
    const built = this.ready.get(question) ?? this.buildNow(question);
    this.ready.delete(question);
    return built;
  }

  /** Builds these questions' prompts in the background, in order (replacing the earlier plan). */
  plan(upcoming: readonly Q[]): void {
    this.queue = upcoming.filter((q) => !this.ready.has(q));
    if (!this.working && this.queue.length > 0) this.work();
  }

  private work(): void {
    this.working = true;
    setImmediate(() => {
      const next = this.queue.shift();
      if (next !== undefined && !this.ready.has(next)) {
        const built = this.buildNow(next);
        built.catch(() => undefined); // the failure is the question's, reported when it is asked
        this.ready.set(next, built);
      }
      if (this.queue.length > 0) this.work();
      else this.working = false;
    });
  }

  private async buildNow(question: Q): Promise<BuiltPrompt> {
    const start = this.clock.now();
    const prompt = await this.build(question);
    return { prompt, prepMs: this.clock.now() - start };
  }
}
