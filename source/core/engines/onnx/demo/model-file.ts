import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { attributeProto, type GraphBuilder, type GraphValue, type Initializer } from './graph-builder.js';
import { FieldNumber, lengthDelimitedHeader, onnx } from './onnx-proto.js';

export interface ModelFileOptions {
  opsetVersion: number;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
  /** Fraction of bytes written so far. */
  onProgress?: (fraction: number) => void;
}

/** ONNX IR version paired with opsets 15-18. */
const IR_VERSION = 8;

function valueInfo(value: GraphValue): Record<string, unknown> {
  const dim = value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: value.name, type: { tensorType: { elemType: value.elemType, shape: { dim } } } };
}

function rawBytes(data: Initializer['data']): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A TensorProto as (header without data, raw data bytes): the data is written straight from the typed array. */
function tensorPieces(init: Initializer): Uint8Array[] {
  const head = onnx.TensorProto.encode(onnx.TensorProto.fromObject({ name: init.name, dims: init.dims, dataType: init.dataType })).finish();
  const data = rawBytes(init.data);
  return [head, lengthDelimitedHeader(FieldNumber.tensorRawData, data.byteLength), data];
}

const byteLength = (pieces: Uint8Array[]): number => pieces.reduce((sum, p) => sum + p.byteLength, 0);

/**
 * A ModelProto as a list of byte pieces: protobuf messages concatenate, so the graph is its
 * small structural part followed by one initializer record per weight, each a view of its
 * typed array (no copy of the weights).
 */
function modelPieces(graph: GraphBuilder, options: ModelFileOptions): Uint8Array[] {
  if (endianness() !== 'LE') throw new Error('ONNX raw_data is little-endian; big-endian hosts are not supported');
  const structure = onnx.GraphProto.encode(
    onnx.GraphProto.fromObject({
      name: 'duet_demo_llama',
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes).map(([name, a]) => attributeProto(name, a)),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    }),
  ).finish();

  const initializerPieces = graph.initializers.map((init) => {
    const pieces = tensorPieces(init);
    return [lengthDelimitedHeader(FieldNumber.graphInitializer, byteLength(pieces)), ...pieces];
  });
  const graphLength = structure.byteLength + initializerPieces.reduce((sum, p) => sum + byteLength(p), 0);

  const opsetImport = [{ domain: '', version: options.opsetVersion }];
  if (graph.nodes.some((n) => n.domain === 'com.microsoft')) opsetImport.push({ domain: 'com.microsoft', version: 1 });
  const header = onnx.ModelProto.encode(
    onnx.ModelProto.fromObject({
      irVersion: IR_VERSION,
      producerName: 'duet',
      producerVersion: options.producerVersion,
      docString: options.docString ?? '',
      opsetImport,
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    }),
  ).finish();

  return [header, lengthDelimitedHeader(FieldNumber.modelGraph, graphLength), structure, ...initializerPieces.flat()];
}

/** The whole model in memory, for small graphs built at run time (InferenceSession.create takes bytes). */
export function encodeOnnxModel(graph: GraphBuilder, options: ModelFileOptions): Uint8Array {
  return Buffer.concat(modelPieces(graph, options));
}

/**
 * Writes a ModelProto to `path` without ever holding the whole file in memory (the pieces
 * are written one after the other). Returns the file size in bytes.
 */
export async function writeOnnxModel(path: string, graph: GraphBuilder, options: ModelFileOptions): Promise<number> {
  const all = modelPieces(graph, options);
  const total = byteLength(all);
  const file = await open(path, 'w');
  try {
    let written = 0;
    let reported = 0;
    for (const piece of all) {
      let offset = 0;
      while (offset < piece.byteLength) {
        const { bytesWritten } = await file.write(piece, offset, Math.min(piece.byteLength - offset, 1 << 24));
        offset += bytesWritten;
      }
      written += piece.byteLength;
      if (options.onProgress && (written - reported > total / 100 || written === total)) {
        reported = written;
        options.onProgress(written / total);
      }
    }
  } finally {
    await file.close();
  }
  return total;
}
