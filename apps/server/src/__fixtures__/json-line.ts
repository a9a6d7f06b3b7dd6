/**
 * Parses one JSON text like JSON.parse, but throws when an object repeats a
 * key: JSON.parse keeps the last one silently, while Elasticsearch-style
 * consumers reject the whole line.
 */
export function parseStrictJson(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at} in ${text}`);
  };
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at += 1;
  };
  const string = (): string => {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(at));
    if (!match) return fail('a string expected');
    at += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const value = (): unknown => {
    space();
    const char = text[at];
    if (char === '{') {
      at += 1;
      const object: Record<string, unknown> = {};
      const keys = new Set<string>();
      space();
      if (text[at] === '}') {
        at += 1;
        return object;
      }
      for (;;) {
        space();
        const key = string();
        if (keys.has(key)) fail(`the key "${key}" repeated`);
        keys.add(key);
        space();
        if (text[at] !== ':') fail('":" expected');
        at += 1;
        object[key] = value();
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') {
          at += 1;
          return object;
        } else fail('"," or "}" expected');
      }
    }
    if (char === '[') {
      at += 1;
      const array: unknown[] = [];
      space();
      if (text[at] === ']') {
        at += 1;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') {
          at += 1;
          return array;
        } else fail('"," or "]" expected');
      }
    }
    if (char === '"') return string();
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!match) return fail('a value expected');
    at += match[0].length;
    return JSON.parse(match[0]) as unknown;
  };
  const result = value();
  space();
  if (at !== text.length) fail('the end expected');
  return result;
}
