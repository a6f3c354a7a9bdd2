import * as ort from 'onnxruntime-node';
import type { FloatType } from './session.js';

/** Raw element storage of a KV tensor: float32 values or float16 bits. */
export type KvData = Float32Array | Uint16Array;

/**
 * The batch's KV cache: per layer a key and a value tensor of shape
 * [batch, kvHeads, length, headDim]. After a decode step the model's `present` outputs
 * become the next step's cache as they are (no copy); rows are only rearranged (gather)
 * when sequences leave or join.
 */
export class KvCache {
  constructor(
    readonly layers: Array<[ort.Tensor, ort.Tensor]>,
    readonly batch: number,
    readonly length: number,
    readonly kvHeads: number,
    readonly headDim: number,
    readonly type: FloatType,
  ) {}

  static empty(layerCount: number, batch: number, kvHeads: number, headDim: number, type: FloatType): KvCache {
    const dims = [batch, kvHeads, 0, headDim];
    const make = () => new ort.Tensor(type, type === 'float16' ? new Uint16Array(0) : new Float32Array(0), dims);
    const layers = Array.from({ length: layerCount }, (): [ort.Tensor, ort.Tensor] => [make(), make()]);
    return new KvCache(layers, batch, 0, kvHeads, headDim, type);
  }

  /** Wraps the `present` outputs of a run (their batch and length come from the dims). */
  static fromOutputs(layers: Array<[ort.Tensor, ort.Tensor]>, kvHeads: number, headDim: number, type: FloatType): KvCache {
    const dims = layers[0]![0].dims;
    return new KvCache(layers, dims[0]!, dims[2]!, kvHeads, headDim, type);
  }
}

/** One destination row of a gather: row `row` of `cache`, keeping columns from `from` on. */
export interface RowSource {
  cache: KvCache;
  row: number;
  from: number;
}

/**
 * Builds a cache of `length` columns whose row i is `sources[i]` right-aligned (left
 * padding with zeros, which the attention mask hides). One pass of contiguous block copies
 * per (row, head): used to drop finished rows, merge joiners and trim all-padding columns.
 */
export function gatherRows(sources: RowSource[], length: number): KvCache {
  const first = sources[0]!.cache;
  const { kvHeads: heads, headDim, type } = first;
  const batch = sources.length;
  const layers = first.layers.map((_, layer): [ort.Tensor, ort.Tensor] => {
    const pair = [0, 1].map((kind) => {
      const out: KvData = type === 'float16' ? new Uint16Array(batch * heads * length * headDim) : new Float32Array(batch * heads * length * headDim);
      sources.forEach(({ cache, row, from }, dstRow) => {
        const src = cache.layers[layer]![kind]!.data as KvData;
        const columns = cache.length - from;
        if (columns > length) throw new Error(`gatherRows: ${columns} columns do not fit in ${length}`);
        const span = columns * headDim;
        for (let h = 0; h < heads; h++) {
          const srcStart = ((row * heads + h) * cache.length + from) * headDim;
          const dstStart = ((dstRow * heads + h) * length + (length - columns)) * headDim;
          out.set(src.subarray(srcStart, srcStart + span), dstStart);
        }
      });
      return new ort.Tensor(type, out, [batch, heads, length, headDim]);
    });
    return [pair[0]!, pair[1]!];
  });
  return new KvCache(layers, batch, length, heads, headDim, type);
}
