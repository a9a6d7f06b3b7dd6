import { InvalidInputError } from '../errors';

// What a customer domain and a recipient address look like, for every front
// end and service: only this module says it.
const DOMAIN =
  /^(?=.{1,100}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;
// Deliberately plain: one @, no spaces, a dot in the domain. The guard then
// requires the address to belong to a manager, which is the real check.
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export function parseCustomer(customer: string): string {
  const value = customer.trim().toLowerCase();
  if (!DOMAIN.test(value))
    throw new InvalidInputError(`"${customer}" is not a customer domain like example.com.`);
  return value;
}

export function parseRecipient(recipient: string): string {
  const value = recipient.trim();
  if (!EMAIL.test(value))
    throw new InvalidInputError(`"${recipient}" is not an email address like manager@example.com.`);
  return value;
}

// Control characters and Unicode's line and paragraph separators: a mail
// library may fold or encode them into something that reads as a header.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// A display name (quoted, or plain without the characters that separate
// addresses) and one address in angle brackets.
const NAMED = /^(?:"[^"\\]*"|[^"<>,;:@\\]*?)\s*<([^<>]*)>$/;

/** Whether `text` is one sender: an address, or a display name and an address in angle brackets. */
export function isMailbox(text: string): boolean {
  if (CONTROL.test(text)) return false;
  const value = text.trim();
  return EMAIL.test(NAMED.exec(value)?.[1] ?? value);
}
