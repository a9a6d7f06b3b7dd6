import crypto from 'node:crypto';
import { CustomerNotFoundError, InvalidInputError } from '../errors';
import { normaliseDomain, parseCustomer, parseName } from '../input/address.rules';
import { quoted } from '../text/quoted';
import { sha256Hex } from '../text/sha256';
import type { TokenRecord } from '../db/models/token.model';
import type { TokenRepository } from './token.repository';

/** Every token starts with this, so a leaked one is easy to recognise in logs and code. */
export const TOKEN_PREFIX = 'spx_';

/** How much of a token is stored in clear, to tell tokens apart. */
const SHOWN_LENGTH = 12;

/** How often a token's last use is written: a busy token costs one UPDATE a minute, not one per request. */
export const TOKEN_LAST_USED_PRECISION_MS = 60_000;

export interface CreatedToken {
  record: TokenRecord;
  /** The token itself: shown once, never stored. */
  token: string;
}

export interface RevokedToken {
  record: TokenRecord;
  /** Enabled schedules the token had created, now paused. */
  pausedSchedules: number;
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}

/**
 * Admin API tokens. A token is 32 random bytes; only its SHA-256 is stored,
 * which is enough for a high-entropy secret (no salt or slow hash needed: it
 * cannot be guessed from a dictionary).
 */
export class TokenService {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(input: { staff?: boolean; site?: string; label?: string }): Promise<CreatedToken> {
    if (Boolean(input.staff) === Boolean(input.site)) {
      throw new InvalidInputError(
        'Give either --staff (every customer) or --site DOMAIN (one customer), not both or neither.',
      );
    }
    let siteDomain: string | null = null;
    if (input.site) {
      siteDomain = parseCustomer(input.site);
      if (!(await this.tokens.siteExists(siteDomain))) throw new CustomerNotFoundError(siteDomain);
    }
    const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    const record = await this.tokens.insert({
      hash: hashToken(token),
      prefix: token.slice(0, SHOWN_LENGTH),
      scope: siteDomain ? 'site' : 'staff',
      siteDomain,
      label: parseName('--label', input.label, 200),
      createdAt: this.clock(),
    });
    return { record, token };
  }

  /**
   * Revokes by id (a number) or by the token itself, and pauses the schedules
   * it created, so nothing keeps sending in the name of a withdrawn token.
   * Returns the token as it now is and how many schedules were paused.
   */
  async revoke(idOrToken: string): Promise<RevokedToken> {
    const text = idOrToken.trim();
    const isId = /^\d+$/.test(text);
    // A larger number would be rounded, and could name another token.
    if (isId && !Number.isSafeInteger(Number(text))) {
      throw new InvalidInputError(
        `${quoted(text)} is not a token id: an id is a whole number up to ${Number.MAX_SAFE_INTEGER}; give the id printed by "spotlight token create" or the token itself.`,
      );
    }
    const found = isId
      ? await this.tokens.findById(Number(text))
      : text.startsWith(TOKEN_PREFIX)
        ? await this.tokens.findByHash(hashToken(text))
        : null;
    if (!found) {
      // A mistyped token is still mostly a secret: only as much as its stored prefix is echoed.
      const echo = isId ? text : text.slice(0, SHOWN_LENGTH);
      throw new InvalidInputError(
        `No token ${quoted(echo)}; give the id printed by "spotlight token create" or the token itself.`,
      );
    }
    const at = this.clock();
    // Again for a token revoked before: its schedules may have been enabled since.
    const { pausedSchedules } = await this.tokens.revoke(found.id, at);
    found.revokedAt ??= at;
    return { record: found, pausedSchedules };
  }

  /** Every token, revoked ones included; never the secret or its hash. */
  list(): Promise<TokenRecord[]> {
    return this.tokens.list();
  }

  /**
   * {@link verify}, and records the use: what the server does with every
   * request. At most one UPDATE a minute per token, besides the lookup.
   */
  async authenticate(token: string | undefined | null): Promise<TokenRecord | null> {
    const record = await this.verify(token);
    if (!record) return null;
    const now = this.clock();
    const notBefore = new Date(now.getTime() - TOKEN_LAST_USED_PRECISION_MS);
    if (!record.lastUsedAt || record.lastUsedAt < notBefore) {
      await this.tokens.touch(record.id, now, notBefore);
      record.lastUsedAt = now;
    }
    return record;
  }

  /** The token's record when it is valid and not revoked, else null. One query. */
  async verify(token: string | undefined | null): Promise<TokenRecord | null> {
    if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    return this.tokens.findActiveByHash(hashToken(token));
  }
}

/** Whether this token may see this customer's data. */
export function tokenReaches(token: Pick<TokenRecord, 'scope' | 'siteDomain'>, customer: string): boolean {
  return token.scope === 'staff' || token.siteDomain === normaliseDomain(customer);
}
