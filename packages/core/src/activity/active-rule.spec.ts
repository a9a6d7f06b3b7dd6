import { countingSentence } from '../export/export.mail';
import { howToRead } from '../workbook/summary-sheet';
import type { DateRange } from './activity.types';

const PERIOD: DateRange = {
  since: new Date('2026-03-01T00:00:00Z'),
  until: new Date('2026-04-01T00:00:00Z'),
};

describe('"active" has one definition', () => {
  it.each([
    ['without a period', {}],
    ['with a period', PERIOD],
  ])('the Summary sheet and the email say it in the same words, %s', (_, range: DateRange) => {
    expect(howToRead(range, 'UTC')).toContain(countingSentence(range));
  });
});
