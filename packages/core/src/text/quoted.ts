/** The most characters of someone's input a message repeats. */
const MAX_ECHO = 60;

/**
 * Input or a stored value echoed in a message: quoted, control characters
 * and line separators escaped, cut to 60 characters, so that it reads as one
 * value on one line whatever it holds.
 */
export function quoted(input: string): string {
  const shown = input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO)}…` : input;
  return JSON.stringify(shown).replace(/[\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}
