import { queueSupportProblem } from './server-version';

describe('queueSupportProblem', () => {
  it.each(['10.6.0-MariaDB', '10.11.6-MariaDB-0+deb12u1', '11.4.2-MariaDB', '8.0.1', '8.0.36', '9.1.0'])(
    'accepts %s',
    (version) => expect(queueSupportProblem(version)).toBeNull(),
  );

  it.each([
    ['10.5.23-MariaDB', /MariaDB 10\.5\.23, and the export queue needs SKIP LOCKED/],
    ['10.4.0-MariaDB-log', /MariaDB 10\.4\.0/],
    ['5.7.44', /MySQL 5\.7\.44/],
    ['8.0.0', /MySQL 8\.0\.0/],
    ['unknown', /cannot be read/],
  ])('refuses %s', (version, reason) => expect(queueSupportProblem(version)).toMatch(reason));
});
