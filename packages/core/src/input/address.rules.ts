import { InvalidInputError } from '../errors';
import { quoted } from '../text/quoted';

// What a customer domain and a recipient address look like, for every front
// end and service: only this module says it.
const DOMAIN =
  /^(?=.{1,100}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;
// Deliberately plain: one @, no spaces, a dot in the domain. The guard then
// requires the address to belong to a manager, which is the real check.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

// An address is at most 254 characters (RFC 5321's path limit, less its brackets).
const MAX_EMAIL_LENGTH = 254;

/** A customer domain as every lookup compares it: trimmed, lower case. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase();
}

/** Normalises an address the way the recipient guard compares them: trimmed, lower case, nothing more. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Whether two addresses are the same for the recipient guard: trimmed and
 * case-insensitive, with no accent or width folding ("andre@" is not "andré@").
 */
export function sameAddress(a: string, b: string): boolean {
  return normaliseEmail(a) === normaliseEmail(b);
}

export function parseCustomer(customer: string): string {
  const value = normaliseDomain(customer);
  if (!DOMAIN.test(value))
    throw new InvalidInputError(`${quoted(customer)} is not a customer domain like example.com.`);
  return value;
}

export function parseRecipient(recipient: string): string {
  const value = recipient.trim();
  if (value.length > MAX_EMAIL_LENGTH || CONTROL.test(value) || !EMAIL.test(value))
    throw new InvalidInputError(`${quoted(recipient)} is not an email address like manager@example.com.`);
  return value;
}

// Decimal digits only, without a sign or leading zeros, and small enough to stay exact.
const ID = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * A record's id as a request names it. JavaScript's Number reads "0x1",
 * "1e0", "+1" and " 1" as 1 too: one record has one spelling.
 */
export function parseId(what: string, text: string): number {
  if (!ID.test(text))
    throw new InvalidInputError(`${what} ${quoted(text)} is not an id: give a whole number like 42.`);
  return Number(text);
}

/**
 * A name a person gives (an operator, a token's label): one line of at most
 * `maxLength` characters, without control characters, since it is stored and
 * printed again in tables and emails. Empty or blank: null.
 */
export function parseName(what: string, name: string | undefined, maxLength: number): string | null {
  const value = name?.trim();
  if (!value) return null;
  if (CONTROL.test(value))
    throw new InvalidInputError(
      `${what} ${quoted(value)} must be one line of text, without control characters.`,
    );
  if (value.length > maxLength)
    throw new InvalidInputError(`${what} ${quoted(value)} is longer than ${maxLength} characters.`);
  return value;
}

// Control characters and Unicode's line and paragraph separators: a mail
// library may fold or encode them into something that reads as a header.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// A sender's address may be a relay's local one (exports@localhost): no dot needed.
const SENDER = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;
// A display name (quoted, escapes allowed, or plain without the characters
// that separate addresses) and one address in angle brackets.
const NAMED = /^(?:"(?:[^"\\]|\\.)*"|[^"<>,;:@\\]*?)\s*<([^<>]*)>$/;
// An address followed by a comment: exports@example.com (Spotlight).
const COMMENTED = /^(\S+)\s*\([^()]*\)$/;

/** Whether `text` is one sender: an address, or a display name and an address in angle brackets. */
export function isMailbox(text: string): boolean {
  // A tab is only whitespace in a header.
  if (CONTROL.test(text.replace(/\t/g, ' '))) return false;
  const value = text.trim();
  return SENDER.test(NAMED.exec(value)?.[1] ?? COMMENTED.exec(value)?.[1] ?? value);
}
