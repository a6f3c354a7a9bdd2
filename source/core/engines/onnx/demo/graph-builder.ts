import { float32ToFloat16 } from '../float16.js';
import { AttributeType, DataType, type DataTypeId } from './onnx-proto.js';

/** An ONNX attribute value; the kind is explicit because JS numbers cannot tell int from float. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] };

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const ints = (value: number[]): Attribute => ({ kind: 'ints', value });

/** Initializer data: float32, int64, uint8 (packed 4-bit weights) or float16 bits. */
export type InitializerData = Float32Array | BigInt64Array | Uint8Array | Uint16Array;

export interface Initializer {
  name: string;
  dims: number[];
  dataType: DataTypeId;
  data: InitializerData;
}

export interface GraphValue {
  name: string;
  elemType: DataTypeId;
  /** Numbers are fixed sizes, strings are symbolic dimensions. */
  shape: (number | string)[];
}

export interface GraphNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
}

/**
 * Collects nodes and initializers with unique generated names, so graph code reads like the
 * math it implements (`g.op('MatMul', [x, w])`) instead of bookkeeping.
 */
export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: GraphValue[] = [];
  readonly outputs: GraphValue[] = [];
  private counter = 0;
  private readonly constants = new Map<string, string>();

  input(value: GraphValue): string {
    this.inputs.push(value);
    return value.name;
  }

  output(value: GraphValue): void {
    this.outputs.push(value);
  }

  /** Adds one node and returns its single output name. */
  op(opType: string, inputs: string[], attributes: Record<string, Attribute> = {}, options: { output?: string; domain?: string } = {}): string {
    const outputs = options.output === undefined ? undefined : [options.output];
    return this.opMulti(opType, inputs, 1, attributes, { outputs, domain: options.domain })[0]!;
  }

  /** Adds one node with several outputs. */
  opMulti(
    opType: string,
    inputs: string[],
    outputCount: number,
    attributes: Record<string, Attribute> = {},
    options: { outputs?: string[]; domain?: string } = {},
  ): string[] {
    const id = this.counter++;
    const outputs = options.outputs ?? Array.from({ length: outputCount }, (_, i) => `/${opType}_${id}/out${i}`);
    this.nodes.push({ opType, domain: options.domain ?? '', name: `/${opType}_${id}`, inputs, outputs, attributes });
    return outputs;
  }

  /** A Uint16Array is float16 bits; a Uint8Array is uint8. */
  initializer(name: string, dims: number[], data: InitializerData): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
    const dataType =
      data instanceof Float32Array ? DataType.FLOAT : data instanceof BigInt64Array ? DataType.INT64 : data instanceof Uint8Array ? DataType.UINT8 : DataType.FLOAT16;
    this.initializers.push({ name, dims, dataType, data });
    return name;
  }

  /** A shared int64 constant (deduplicated by value). */
  int64(values: number[], dims: number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_i64_${this.constants.size}`;
    this.initializer(name, dims, BigInt64Array.from(values, (v) => BigInt(v)));
    this.constants.set(key, name);
    return name;
  }

  /** A shared float16 constant (deduplicated by value). */
  float16(values: number[], dims: number[] = [values.length]): string {
    const key = `f16:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_f16_${this.constants.size}`;
    this.initializer(name, dims, Uint16Array.from(values, float32ToFloat16));
    this.constants.set(key, name);
    return name;
  }

  /** A shared float32 constant (deduplicated by value). */
  float32(values: number[], dims: number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_f32_${this.constants.size}`;
    this.initializer(name, dims, Float32Array.from(values));
    this.constants.set(key, name);
    return name;
  }
}

export function attributeProto(name: string, attribute: Attribute): Record<string, unknown> {
  switch (attribute.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: attribute.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: attribute.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: attribute.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: attribute.value };
  }
}
