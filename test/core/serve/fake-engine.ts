import type { Engine, GenerateRequest, GenerateResult, TokenEvent } from '../../../source/core/engines/engine.js';

/** A scripted Engine: answers `tokens` (cut at maxNewTokens), one every `gapMs`, and records what it was asked. */
export function fakeEngine(options: { tokens?: string[]; gapMs?: number; synthetic?: boolean; fail?: string } = {}) {
  const requests: GenerateRequest[] = [];
  let running = 0;
  let maxRunning = 0;
  const aborted: string[] = [];
  const engine: Engine = {
    info: () => ({ label: 'fake', backend: 'onnx', model: 'fake', device: 'cpu', synthetic: options.synthetic ?? true }),
    start: async () => undefined,
    stop: async () => undefined,
    load: () => ({ queued: 0, running, batchSize: running }),
    async generate(request: GenerateRequest, onToken?: (t: TokenEvent) => void): Promise<GenerateResult> {
      requests.push(request);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        const tStart = performance.now();
        const script = options.tokens ?? ['Hel', 'lo', '', ' there'];
        const times: number[] = [];
        let text = '';
        for (const piece of script.slice(0, request.maxNewTokens)) {
          await new Promise((r) => setTimeout(r, options.gapMs ?? 2));
          if (request.signal?.aborted) {
            aborted.push(request.id);
            return { text, tokenIds: [], promptTokens: request.promptIds.length, outputTokens: times.length, tStart, tEnd: performance.now(), tokenTimes: times, finishReason: 'abort' };
          }
          if (options.fail && times.length === 1) throw new Error(options.fail);
          const t = performance.now();
          times.push(t);
          text += piece;
          onToken?.({ text: piece, t });
        }
        return {
          text,
          tokenIds: times.map((_, i) => i),
          promptTokens: request.promptIds.length,
          outputTokens: times.length,
          tStart,
          tFirstToken: times[0],
          tEnd: performance.now(),
          tokenTimes: times,
          finishReason: script.length > request.maxNewTokens ? 'length' : 'stop',
        };
      } finally {
        running--;
      }
    },
  };
  return { engine, requests, aborted, maxRunning: () => maxRunning };
}

/** A stand-in tokenizer: one id per character (enough to check that prompts reach the engine). */
export const charEncode = (text: string): number[] => [...text].map((c) => c.codePointAt(0)!);
