import { parseStrictJson } from './json-line';

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads', () => {
    const text = JSON.stringify({ a: 1, b: [true, null, 'x"y', { c: -1.5e3 }], d: {}, e: [] });
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it('refuses a repeated key, at any depth, which JSON.parse lets through', () => {
    expect(() => parseStrictJson('{"requestId":"a","x":1,"requestId":"a"}')).toThrow(/"requestId" repeated/);
    expect(() => parseStrictJson('{"req":{"url":"/","url":"/"}}')).toThrow(/"url" repeated/);
    expect(() => parseStrictJson('{"a":1} x')).toThrow(/end expected/);
  });
});
