/**
 * What a script reading `--json` relies on: every key path of the value (array
 * items as `[]`) and the JSON types seen there, sorted so that a snapshot of it
 * changes only when a field is added, removed, renamed or changes type.
 */
export function jsonShape(value: unknown): Record<string, string> {
  const types = new Map<string, Set<string>>();
  const visit = (node: unknown, at: string): void => {
    const type = node === null ? 'null' : Array.isArray(node) ? 'array' : typeof node;
    const seen = types.get(at) ?? new Set<string>();
    types.set(at, seen.add(type));
    if (Array.isArray(node)) {
      for (const item of node) visit(item, `${at}[]`);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) visit(item, at ? `${at}.${key}` : key);
    }
  };
  visit(value, '');
  return Object.fromEntries(
    [...types.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([at, seen]) => [at || '(root)', [...seen].sort().join(' | ')]),
  );
}
