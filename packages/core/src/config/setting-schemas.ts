import { z } from 'zod';

/*
 * The zod pieces every app's settings are built from, so that each rule for
 * reading an environment variable lives once. Only the settings modules
 * import this (and so zod).
 */

/** Trimmed text; blank or unset is undefined. */
export const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));

const blankAsUnset = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A number checked by `schema`; blank or unset is undefined. */
export const optionalNumber = (schema: z.ZodType<number>) => z.preprocess(blankAsUnset, schema.optional());

/** A whole number from `min` to `max`; blank or unset is `defaultValue`. */
export const integerSetting = (defaultValue: number, min: number, max: number) =>
  z.preprocess(blankAsUnset, z.coerce.number().int().min(min).max(max).default(defaultValue));

/** A number between `min` and `max`, fractions allowed (`0.5` minutes). */
export const numberSetting = (defaultValue: number, min: number, max: number) =>
  z.preprocess(blankAsUnset, z.coerce.number().min(min).max(max).default(defaultValue));

/** One of `choices`, in any case; blank or unset is `defaultValue`. */
export const choiceSetting = <const T extends readonly [string, ...string[]]>(
  choices: T,
  defaultValue: T[number],
) =>
  z.preprocess(
    // eslint-disable-next-line no-restricted-syntax -- a setting's keyword, not an address or a domain
    (value) => (typeof value === 'string' && value.trim() ? value.trim().toLowerCase() : undefined),
    z.enum(choices).default(defaultValue as never),
  );

/** "A: reason; B: reason", for one-line configuration errors. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'} ${issue.message}`).join('; ');
}
