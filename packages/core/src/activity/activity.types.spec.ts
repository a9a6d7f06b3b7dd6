import { engagementLevel, isActive, kindLabel, type UserActivity } from './activity.types';

const nobody: UserActivity = {
  userId: 1,
  email: 'a@example.com',
  firstName: '',
  lastName: '',
  accountActive: true,
  dateJoined: null,
  lastLogin: null,
  neverLoggedIn: true,
  challenges: 0,
  ideas: 0,
  comments: 0,
  commentLikes: 0,
  votes: 0,
  conversations: 0,
  communitiesCreated: 0,
  communitiesManaged: [],
  communitiesJoined: [],
};
const ranged = { since: new Date('2026-01-01T00:00:00Z') };

describe('engagement level', () => {
  it.each([
    [{ challenges: 1, comments: 5, votes: 5 }, 'Creator', 'Creator'],
    [{ ideas: 1 }, 'Creator', 'Creator'],
    [{ conversations: 1 }, 'Creator', 'Creator'],
    [{ communitiesCreated: 1, communitiesJoined: ['x'] }, 'Creator', 'Creator'],
    [{ comments: 1, votes: 3, commentLikes: 2 }, 'Contributor', 'Contributor'],
    [{ votes: 1, communitiesManaged: ['x'] }, 'Supporter', 'Supporter'],
    [{ commentLikes: 1, communitiesJoined: ['x'] }, 'Supporter', 'Idle'],
    [{ communitiesManaged: ['x'] }, 'Member', 'Idle'],
    [{ communitiesJoined: ['x'] }, 'Member', 'Idle'],
    [{}, 'Idle', 'Idle'],
  ] as Array<[Partial<UserActivity>, string, string]>)(
    '%j is %s without a range and %s with one',
    (activity, allTime, inRange) => {
      const user = { ...nobody, ...activity };
      expect(engagementLevel(user)).toBe(allTime);
      expect(engagementLevel(user, ranged)).toBe(inRange);
      expect(isActive(user)).toBe(allTime !== 'Idle');
      expect(isActive(user, ranged)).toBe(inRange !== 'Idle');
    },
  );

  it('names undated kinds "(all time)" only in a ranged export', () => {
    expect(kindLabel('Comment likes given', false, ranged)).toBe('Comment likes given (all time)');
    expect(kindLabel('Comment likes given', false, {})).toBe('Comment likes given');
    expect(kindLabel('Ideas created', true, ranged)).toBe('Ideas created');
  });
});
