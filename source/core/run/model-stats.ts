import type { ModelSlot } from '../engines/engine.js';
import type { ModelView } from '../scheduler/policies/index.js';

/** Per-model counts the policies decide from: questions outstanding and recent service times. */
export class ModelStats {
  private outstandingCount = 0;
  private readonly serviceMs: number[] = [];

  constructor(private readonly window: number) {}

  get outstanding(): number {
    return this.outstandingCount;
  }
  sent(): void {
    this.outstandingCount++;
  }
  /** A question left this model; its service time (tEnd - tStart) when it was answered. */
  done(serviceMs?: number): void {
    this.outstandingCount--;
    if (serviceMs === undefined || !Number.isFinite(serviceMs)) return;
    this.serviceMs.push(serviceMs);
    if (this.serviceMs.length > this.window) this.serviceMs.shift();
  }

  view(queued: number): ModelView {
    const n = this.serviceMs.length;
    const view: ModelView = { outstanding: this.outstandingCount, queued };
    if (n > 0) view.meanServiceMs = this.serviceMs.reduce((a, b) => a + b, 0) / n;
    return view;
  }
}

export const SLOTS: readonly ModelSlot[] = ['A', 'B'];
