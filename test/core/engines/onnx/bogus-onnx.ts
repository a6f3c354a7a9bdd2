/**
 * A minimal valid ONNX file (one Identity node, input `x` -> output `y`), hand-encoded in
 * protobuf wire format: a real model that is not a Llama decoder, for error tests.
 */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const field = (number: number, bytes: number[]): number[] => [...varint((number << 3) | 2), ...varint(bytes.length), ...bytes];
const intField = (number: number, value: number): number[] => [...varint(number << 3), ...varint(value)];
const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];

function valueInfo(name: string): number[] {
  const shape = field(2, field(1, intField(1, 1))); // one dim of size 1
  const tensorType = field(1, [...intField(1, 1), ...shape]); // elem_type FLOAT
  return [...field(1, text(name)), ...field(2, tensorType)];
}

export function identityOnnx(): Buffer {
  const node = [...field(1, text('x')), ...field(2, text('y')), ...field(4, text('Identity'))];
  const graph = [...field(1, node), ...field(2, text('bogus')), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  const opset = [...field(1, []), ...intField(2, 17)];
  return Buffer.from([...intField(1, 8), ...field(8, opset), ...field(7, graph)]);
}
