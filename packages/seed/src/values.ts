import type { Random } from './random';

/** Every kind of content has this share of deleted rows, which still count. */
export const DELETED_SHARE = 0.03;

export const TOPICS = [
  'Green Energy',
  'Remote Work',
  'Customer Care',
  'Data Science',
  'Wellbeing',
  'Supply Chain',
  'Onboarding',
  'Open Source',
  'Design',
  'Safety',
  'Finance',
  'Hardware',
  'Mobile',
  'Sales Ops',
  'Learning',
];

/** Generated rows are dated from 2022-01-01 to 2026-06-01. */
export const EPOCH = Date.UTC(2022, 0, 1);
export const SPAN = Date.UTC(2026, 5, 1) - EPOCH;

export function stamp(rng: Random): Date {
  return new Date(EPOCH + Math.floor(rng.next() * SPAN));
}
