import { open } from 'node:fs/promises';

/**
 * Attention operators that take each row's length (seqlens_k) and assume its tokens start
 * at position 0, i.e. right padding: onnxruntime's GroupQueryAttention (the fused attention
 * of onnxruntime-genai-built exports). Measured on onnxruntime 1.30's CPU kernel: a
 * left-padded row's real token attends to the padding instead (output 0 where the value
 * was expected). duet's batches are left-padded, so such graphs decode one sequence at a time.
 */
export const RIGHT_PADDED_ATTENTION_OPS = ['GroupQueryAttention'] as const;

const CHUNK = 1 << 24;

/**
 * Whether the ONNX file names any of `opTypes`, by a byte search of the file (an op type is
 * a plain string in each NodeProto; weights are raw bytes that would have to spell the name
 * by chance). One streaming pass, no protobuf decode: a multi-GB export costs a read that
 * onnxruntime's own load makes cheap afterwards (the page cache).
 */
export async function fileNamesOp(path: string, opTypes: readonly string[], chunkBytes = CHUNK): Promise<boolean> {
  const needles = opTypes.map((op) => Buffer.from(op, 'latin1'));
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(chunkBytes + overlap);
    let carried = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, carried, chunkBytes, null);
      const end = carried + bytesRead;
      const window = buffer.subarray(0, end);
      if (needles.some((needle) => window.includes(needle))) return true;
      if (bytesRead === 0) return false;
      carried = Math.min(overlap, end);
      buffer.copyWithin(0, end - carried, end);
    }
  } finally {
    await file.close();
  }
}
