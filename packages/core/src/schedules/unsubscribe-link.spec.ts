import { UnsubscribeSigner } from './unsubscribe-link';

describe('unsubscribe link tokens', () => {
  const signer = new UnsubscribeSigner('a'.repeat(32));
  const target = { scheduleId: 42, recipient: 'josé.manager+x@example.com', generation: 3 };

  it('reads back what it signed, and is short enough for a header line', () => {
    const token = signer.sign(target);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(120);
    expect(signer.verify(token)).toEqual(target);
  });

  it('refuses a token signed with another secret, changed anywhere, or malformed', () => {
    const token = signer.sign(target);
    expect(new UnsubscribeSigner('b'.repeat(32)).verify(token)).toBeNull();
    for (let at = 0; at < token.length; at += 1) {
      if (token[at] === '.') continue;
      const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      expect({ at, verified: signer.verify(changed) }).toEqual({ at, verified: null });
    }
    const [payload, mac] = token.split('.');
    const other = Buffer.from('43.3.josé.manager+x@example.com').toString('base64url');
    for (const bad of ['', payload, `${payload}.`, `.${mac}`, `${other}.${mac}`, `${payload}.${mac}x`])
      expect(signer.verify(bad)).toBeNull();
  });
});
