import { InvalidInputError } from '../errors';
import {
  isMailbox,
  normaliseDomain,
  normaliseEmail,
  parseCustomer,
  parseId,
  parseName,
  parseRecipient,
  sameAddress,
} from './address.rules';

/** The message of what `fn` throws, failing unless it is an InvalidInputError. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('nothing was thrown');
}

describe('address rules', () => {
  it('refuses an address with control characters, and never echoes them', () => {
    const message = refusal(() => parseRecipient('x\u001b[2J@example.com'));
    expect(message).toBe('"x\\u001b[2J@example.com" is not an email address like manager@example.com.');
  });

  it('refuses an address longer than 254 characters, echoing 60 of them', () => {
    const long = `${'a'.repeat(250)}@example.com`;
    const message = refusal(() => parseRecipient(long));
    expect(message).toBe(`"${'a'.repeat(60)}…" is not an email address like manager@example.com.`);
    expect(parseRecipient(`${'a'.repeat(240)}@example.com`)).toHaveLength(252);
  });

  it('echoes a bad domain quoted and cut short', () => {
    expect(refusal(() => parseCustomer(`bad domain${'x'.repeat(100)}`))).toBe(
      `"bad domain${'x'.repeat(50)}…" is not a customer domain like example.com.`,
    );
    expect(refusal(() => parseCustomer('exa\u2028mple.com'))).toBe(
      '"exa\\u2028mple.com" is not a customer domain like example.com.',
    );
  });

  it('takes an id in decimal digits only: one record, one spelling', () => {
    expect(['0', '1', '42', '999999999999999'].map((text) => parseId('id', text))).toEqual([
      0, 1, 42, 999999999999999,
    ]);
    for (const text of [
      '0x1',
      '1e0',
      '1.0',
      '+1',
      '-1',
      '01',
      ' 1',
      '1 ',
      '0b1',
      '1abc',
      '',
      '１',
      '1000000000000000',
    ])
      expect(refusal(() => parseId('id', text))).toBe(
        `id ${JSON.stringify(text)} is not an id: give a whole number like 42.`,
      );
  });

  it('takes a name of one line, up to its length, and null for nothing', () => {
    expect(parseName('--operator', '  alice  ', 200)).toBe('alice');
    expect(parseName('--operator', '   ', 200)).toBeNull();
    expect(parseName('--operator', undefined, 200)).toBeNull();
    expect(refusal(() => parseName('--operator', 'alice\nError: forged', 200))).toBe(
      '--operator "alice\\nError: forged" must be one line of text, without control characters.',
    );
    expect(refusal(() => parseName('--label', 'x'.repeat(201), 200))).toBe(
      `--label "${'x'.repeat(60)}…" is longer than 200 characters.`,
    );
  });

  it('knows one sender from anything else', () => {
    expect(isMailbox('Exports <exports@example.com>')).toBe(true);
    expect(isMailbox('a@b.example, c@d.example')).toBe(false);
  });
});

describe('sameAddress', () => {
  it('normalises a domain and an address by trimming and lower-casing them', () => {
    expect(normaliseDomain(' Example.COM ')).toBe('example.com');
    expect(normaliseEmail(' Manager@Example.com ')).toBe('manager@example.com');
  });

  it('ignores case and surrounding spaces, and nothing else', () => {
    expect(sameAddress(' Manager@Example.com ', 'manager@example.com')).toBe(true);
    expect(sameAddress('ANDRÉ@example.com', 'andré@example.com')).toBe(true);
    expect(sameAddress('andre@example.com', 'andré@example.com')).toBe(false);
    expect(sameAddress('ｍanager@example.com', 'manager@example.com')).toBe(false);
  });
});
