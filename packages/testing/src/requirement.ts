/**
 * Something tests need from the machine (a program, a service) that a
 * developer's machine may lack, and the variable that makes its absence a
 * failure where it must be there (CI sets SPOTLIGHT_REQUIRE_...=1).
 */
export interface Requirement {
  /** What is missing and how to get it, in one clause: "Chromium is not installed (Debian: chromium)". */
  missing: string;
  /** The variable that, set to 1, turns a skip for want of this into a failure. */
  requireEnv: `SPOTLIGHT_REQUIRE_${string}`;
  /** Whether it is here; synchronous, because jest decides which suites exist before running any. */
  available(): boolean;
}

/** A suite's or a test's body, whatever its describe passes it (describeEachDatabase: the database). */
type Body = (...args: never[]) => void;

const seen = new WeakMap<Requirement, boolean>();

function isAvailable(requirement: Requirement): boolean {
  let here = seen.get(requirement);
  if (here === undefined) {
    here = requirement.available();
    seen.set(requirement, here);
  }
  return here;
}

/**
 * Whether what needs `requirement` runs: true when it is here. When it is
 * not, false after a warning that says what is skipped and why, unless its
 * variable is 1: then it throws, so a missing requirement fails and never skips.
 */
export function requirementMet(
  requirement: Requirement,
  skipping: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (isAvailable(requirement)) return true;
  if (env[requirement.requireEnv] === '1') {
    throw new Error(
      `${requirement.missing}, and ${requirement.requireEnv}=1 makes that a failure: install it, or unset ${requirement.requireEnv} to skip ${skipping}`,
    );
  }
  console.warn(
    `${requirement.missing}; skipping ${skipping} (${requirement.requireEnv}=1 makes that a failure)`,
  );
  return false;
}

/**
 * `describeFn` (jest's `describe`, or a variant such as describeEachDatabase)
 * for suites that need `requirement`: declared as they are when it is here;
 * skipped with a warning saying why when it is not; and, when it is missing
 * while its variable is 1, declared as one failing test that says what is missing.
 */
export function describeWhen<B extends Body>(
  requirement: Requirement,
  describeFn: (name: string, body: B) => void,
): (name: string, body: B) => void {
  return (name, body) => {
    let met: boolean;
    try {
      met = requirementMet(requirement, `"${name}"`);
    } catch (error) {
      describe(name, () => {
        it(`needs what ${requirement.requireEnv}=1 requires`, () => {
          throw error;
        });
      });
      return;
    }
    if (met) describeFn(name, body);
    // The body still declares its tests, so they are listed as skipped; it gets no argument to use.
    else describe.skip(name, () => (body as unknown as (placeholder: object) => void)({}));
  };
}
