import { jsonShape } from './json-shape';

describe('jsonShape', () => {
  it('lists every key path with the JSON types seen there, array items merged', () => {
    expect(jsonShape({ b: [{ x: 1 }, { x: null, y: 'a' }], a: { c: true }, d: [], e: [[1]] })).toEqual({
      '(root)': 'object',
      a: 'object',
      'a.c': 'boolean',
      b: 'array',
      'b[]': 'object',
      'b[].x': 'null | number',
      'b[].y': 'string',
      d: 'array',
      e: 'array',
      'e[]': 'array',
      'e[][]': 'number',
    });
  });

  it('changes when a field is renamed or changes type', () => {
    expect(jsonShape({ bytes: 1 })).not.toEqual(jsonShape({ size: 1 }));
    expect(jsonShape({ bytes: 1 })).not.toEqual(jsonShape({ bytes: '1' }));
  });
});
