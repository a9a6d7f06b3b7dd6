import { describeWhen, type Requirement } from '../requirement';

/** Here when GATED_AVAILABLE=1: requirement.spec.ts runs jest on this file with and without it. */
const GATE: Requirement = {
  missing: 'the gate fixture is not here (GATED_AVAILABLE=1 brings it)',
  requireEnv: 'SPOTLIGHT_REQUIRE_GATE_FIXTURE',
  available: () => process.env.GATED_AVAILABLE === '1',
};

/** A describe that hands its body a value, as describeEachDatabase hands it a database. */
function describeWithValue(name: string, body: (value: { answer: number }) => void): void {
  describe(name, () => body({ answer: 42 }));
}

describeWhen(GATE, describeWithValue)('gated suite', (value) => {
  it('runs with what its describe gave it', () => {
    expect(value.answer).toBe(42);
  });
});
