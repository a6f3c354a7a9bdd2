/**
 * A union of [start, end] intervals kept merged and sorted: a model's busy time (it was
 * computing at least one request). Records arrive roughly in order, so inserts land at
 * the end and merge with the last interval.
 */
export class IntervalUnion {
  private starts: number[] = [];
  private ends: number[] = [];

  add(start: number, end: number): void {
    if (!(end > start)) return;
    // First interval whose end reaches start: everything before it stays untouched.
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    let last = lo;
    let mergedStart = start;
    let mergedEnd = end;
    while (last < this.starts.length && this.starts[last]! <= end) {
      mergedStart = Math.min(mergedStart, this.starts[last]!);
      mergedEnd = Math.max(mergedEnd, this.ends[last]!);
      last++;
    }
    this.starts.splice(lo, last - lo, mergedStart);
    this.ends.splice(lo, last - lo, mergedEnd);
  }

  /** Milliseconds of the union inside [window.start, window.end]; 0 before the window starts. */
  coveredMs(window: { start?: number; end: number }): number {
    if (window.start === undefined) return 0;
    let total = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const a = Math.max(this.starts[i]!, window.start);
      const b = Math.min(this.ends[i]!, window.end);
      if (b > a) total += b - a;
    }
    return total;
  }
}
