import protobuf from 'protobufjs';

/**
 * The subset of onnx.proto that duet writes, declared through protobufjs reflection.
 * Field numbers follow onnx/onnx.proto (IR version 8).
 */

export const DataType = { FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const { Type, Field, Root } = protobuf;

function message(name: string, fields: [string, number, string, ('repeated' | 'optional')?][]): protobuf.Type {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) type.add(new Field(fieldName, id, fieldType, rule));
  return type;
}

const root = new Root().define('onnx');
root.add(message('StringStringEntryProto', [['key', 1, 'string'], ['value', 2, 'string']]));
root.add(message('OperatorSetIdProto', [['domain', 1, 'string'], ['version', 2, 'int64']]));
root.add(
  message('TensorProto', [
    ['dims', 1, 'int64', 'repeated'],
    ['dataType', 2, 'int32'],
    ['floatData', 4, 'float', 'repeated'],
    ['int64Data', 7, 'int64', 'repeated'],
    ['name', 8, 'string'],
    ['rawData', 9, 'bytes'],
    ['docString', 12, 'string'],
  ]),
);
root.add(message('Dimension', [['dimValue', 1, 'int64'], ['dimParam', 2, 'string']]));
root.add(message('TensorShapeProto', [['dim', 1, 'Dimension', 'repeated']]));
root.add(message('TensorTypeProto', [['elemType', 1, 'int32'], ['shape', 2, 'TensorShapeProto']]));
root.add(message('TypeProto', [['tensorType', 1, 'TensorTypeProto']]));
root.add(message('ValueInfoProto', [['name', 1, 'string'], ['type', 2, 'TypeProto'], ['docString', 3, 'string']]));
root.add(
  message('AttributeProto', [
    ['name', 1, 'string'],
    ['f', 2, 'float'],
    ['i', 3, 'int64'],
    ['s', 4, 'bytes'],
    ['t', 5, 'TensorProto'],
    ['floats', 7, 'float', 'repeated'],
    ['ints', 8, 'int64', 'repeated'],
    ['type', 20, 'int32'],
  ]),
);
root.add(
  message('NodeProto', [
    ['input', 1, 'string', 'repeated'],
    ['output', 2, 'string', 'repeated'],
    ['name', 3, 'string'],
    ['opType', 4, 'string'],
    ['attribute', 5, 'AttributeProto', 'repeated'],
    ['docString', 6, 'string'],
    ['domain', 7, 'string'],
  ]),
);
root.add(
  message('GraphProto', [
    ['node', 1, 'NodeProto', 'repeated'],
    ['name', 2, 'string'],
    ['initializer', 5, 'TensorProto', 'repeated'],
    ['docString', 10, 'string'],
    ['input', 11, 'ValueInfoProto', 'repeated'],
    ['output', 12, 'ValueInfoProto', 'repeated'],
  ]),
);
root.add(
  message('ModelProto', [
    ['irVersion', 1, 'int64'],
    ['producerName', 2, 'string'],
    ['producerVersion', 3, 'string'],
    ['domain', 4, 'string'],
    ['modelVersion', 5, 'int64'],
    ['docString', 6, 'string'],
    ['graph', 7, 'GraphProto'],
    ['opsetImport', 8, 'OperatorSetIdProto', 'repeated'],
    ['metadataProps', 14, 'StringStringEntryProto', 'repeated'],
  ]),
);
root.resolveAll();

export const onnx = {
  ModelProto: root.lookupType('onnx.ModelProto'),
  GraphProto: root.lookupType('onnx.GraphProto'),
  NodeProto: root.lookupType('onnx.NodeProto'),
  TensorProto: root.lookupType('onnx.TensorProto'),
  ValueInfoProto: root.lookupType('onnx.ValueInfoProto'),
  AttributeProto: root.lookupType('onnx.AttributeProto'),
};

/** Field numbers the streaming writer emits by hand (length-delimited, wire type 2). */
export const FieldNumber = { modelGraph: 7, graphInitializer: 5, tensorRawData: 9 } as const;

/** Tag + length prefix of a length-delimited field. */
export function lengthDelimitedHeader(fieldNumber: number, length: number): Uint8Array {
  return protobuf.Writer.create()
    .uint32(((fieldNumber << 3) | 2) >>> 0)
    .uint32(length)
    .finish();
}
