import { SPOTLIGHT_TABLE as T } from '@spotlight/core';
import type { IdRange } from '../table-load';
import type { SiteWriter } from '../site-writer';

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloé',
  'Dev',
  'Eva',
  'Femi',
  'Grace',
  'Hiro',
  'Ines',
  'Jon',
  'Kai',
  'Lena',
  'Mateo',
  'Nia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tao',
  'Uma',
  'Vik',
  'Wen',
  'Yara',
  'Zoë',
];
const LAST_NAMES = [
  'Adams',
  'Bauer',
  'Chen',
  'Diaz',
  'Eriksen',
  'Fischer',
  'García',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  "O'Brien",
  'Müller',
  'Nguyen',
  'Okafor',
  'Patel',
  'Rossi',
  'Smith',
  'Tanaka',
  'Usman',
  'Varga',
  'Wright',
  'Young',
  'Zhang',
];

/**
 * central_user: the site's `spec.users` users. User 0 is the active manager,
 * user 1 a manager whose account was closed, user 2 may share an address with
 * another site; some emails differ from the rest only in case.
 */
export async function writeUsers({ spec, siteId, rng, plan, load, progress }: SiteWriter): Promise<IdRange> {
  const n = spec.users;
  const users = load(T.user);
  const first = users.reserve(n);
  for (let u = 0; u < n; u += 1) {
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '');
    let email = `${local}${u}@${spec.domain}`;
    if (u === 0) email = spec.managerEmail;
    else if (u === 2 && spec.sharedEmail) email = spec.sharedEmail;
    else if (u % 53 === 0) email = email[0].toUpperCase() + email.slice(1);
    const joined = plan.joined(u);
    const lastLogin = plan.lastLogin(u);
    // User 1 is a manager whose account was closed: listed, but never a recipient.
    const isManager = u === 0 || u === 1 || rng.chance(0.003);
    const isActive = u === 0 || (u !== 1 && !rng.chance(0.06));
    await users.add([
      '!',
      lastLogin,
      isActive,
      false,
      u === 0,
      !rng.chance(0.1),
      rng.chance(0.05),
      isManager,
      rng.chance(0.02),
      rng.chance(0.02),
      rng.chance(0.1) ? null : email.toLowerCase(),
      email,
      firstName,
      lastName,
      joined,
      `${firstName} ${lastName}`.slice(0, 50),
      siteId,
    ]);
  }
  await users.end();
  progress(`${spec.domain}: ${n} users`);
  return { first, count: n };
}
