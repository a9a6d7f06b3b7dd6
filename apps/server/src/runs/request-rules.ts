import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import {
  parseBound,
  parseId,
  parseRecipient,
  parseRequestedBy,
  REQUESTED_BY_MAX_LENGTH,
} from '@spotlight/core';

/** Whether core's request parser takes `value`: core owns every input rule, the DTOs only name it. */
function parses(parse: (text: string) => unknown, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

/** An address core's parser takes as a recipient. */
export const IsRecipientAddress = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isRecipientAddress',
      validator: {
        validate: (value) => parses(parseRecipient, value),
        defaultMessage: () => '$property must be an email address like manager@example.com',
      },
    },
    options,
  );

/** A date or date-time core's parser takes as either end of a range. */
export const IsRangeBound = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isRangeBound',
      validator: {
        // Empty is not "no bound": a template whose variable was empty must not export all time.
        validate: (value) => value !== '' && parses((text) => parseBound(text, 'since'), value),
        defaultMessage: () => '$property must be YYYY-MM-DD or an ISO 8601 date-time with a time zone',
      },
    },
    options,
  );

/** Who the email names as having asked: one line core's parser takes. */
export const IsRequestedBy = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isRequestedBy',
      validator: {
        // Empty is refused like the CLI's empty flags: a template's empty variable, not a choice.
        validate: (value) =>
          typeof value === 'string' && value.trim() !== '' && parses(parseRequestedBy, value),
        defaultMessage: () =>
          `$property must be one line of at most ${REQUESTED_BY_MAX_LENGTH} characters, such as "Jane Doe, Spotlight support"`,
      },
    },
    options,
  );

/**
 * For a query field that is an id: turns it into a number only when core's
 * id rule takes it, so that `@IsInt` refuses "0x1" and "1e0" instead of
 * reading them as 1.
 */
export const toId = ({ value, key }: { value: unknown; key: string }): unknown =>
  parses((text) => parseId(key, text), value) ? Number(value) : value;

/** A path parameter that is a record's id (`/exports/:id`): decimal digits only, else 400. */
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    return parseId(metadata.data ?? 'id', value);
  }
}
