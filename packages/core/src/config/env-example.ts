import { z } from 'zod';
import { ENV_FILE_VARIABLE } from './env-file';

/** The settings of one front end, for the `.env.example` it shares with the others. */
export interface SettingsSection {
  title: string;
  schema: z.ZodObject;
}

/** What a setting's schema says of it: `.meta({ description, defaultText? })`. */
interface SettingMeta {
  description?: string;
  /** The default in words, when unset does not parse to a value (a folder below another, "none"). */
  defaultText?: string;
}

/** The command that rewrites `.env.example`; a stale file's test names it. */
export const ENV_EXAMPLE_COMMAND = 'npx pnpm@10.34.9 env:example';

/**
 * The text of `.env.example`: every setting of every section, once, with its
 * one-line meaning and its default, commented out so that copying the file
 * changes nothing until a line is uncommented. Throws when a setting has no
 * description: the schema is the one place a setting is described.
 */
export function renderEnvExample(sections: SettingsSection[]): string {
  const lines = [
    '# Every setting of the spotlight CLI and the spotlight-server, with its default.',
    `# Generated from the settings schemas by \`${ENV_EXAMPLE_COMMAND}\`: edit the schemas, not this file.`,
    `# Both read ./.env from the working folder, or the file ${ENV_FILE_VARIABLE} names;`,
    '# a variable set in the environment wins over the file. Uncomment a line to change a setting.',
    '# DEBUG=1, in the environment, prints stack traces with errors.',
  ];
  const seen = new Set<string>();
  for (const { title, schema } of sections) {
    lines.push('', `## ${title}`);
    for (const [name, setting] of Object.entries(schema.shape) as [string, z.ZodType][]) {
      if (seen.has(name)) continue;
      seen.add(name);
      const meta = (setting.meta() ?? {}) as SettingMeta;
      if (!meta.description) throw new Error(`${name} has no description in its settings schema`);
      const parsed = setting.safeParse(undefined);
      let value = parsed.success ? formatDefault(parsed.data) : '';
      // A default applied after parsing that is a number or an address ("15000", "127.0.0.1") reads as one.
      if (!value && meta.defaultText && PLAIN_VALUE.test(meta.defaultText)) value = meta.defaultText;
      const inWords = meta.defaultText && meta.defaultText !== value ? ` Default: ${meta.defaultText}.` : '';
      lines.push('', `# ${meta.description.replace(/\.$/, '')}.${inWords}`, `#${name}=${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const PLAIN_VALUE = /^[\d.]+$/;

function formatDefault(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
