/**
 * The one mock setup of the test process (loaded by .mocharc.json before any test file). Every
 * test that builds resources uses this cloud through `plan()`; setting mocks from several files
 * would let one overwrite the other and the losing file's tests check nothing.
 */
import { DEFAULT_ACCOUNT_ID, MockCloud } from "../scripts/mocks";
import { OfflineRun, runOffline } from "../scripts/offline";
import { readStack } from "../stacks/stackFiles";
import { ConfigInput } from "../stacks/load";

/** The process-wide mock cloud. */
export const cloud = new MockCloud({
  accountId: DEFAULT_ACCOUNT_ID,
  region: "eu-west-1",
});

/** Runs of configs planned before, by config: the program is deterministic, so a run is reused. */
const runs = new Map<string, OfflineRun>();

/**
 * Builds a stack offline from its config and returns everything it declared. A config that was
 * planned before returns the same (read-only) run; a refused config is planned every time, so
 * tests can check that it declared nothing.
 */
export async function plan(input: ConfigInput): Promise<OfflineRun> {
  const key = JSON.stringify([
    input.stack,
    input.values,
    [...input.secretKeys].sort(),
    (input.siblings ?? []).map((s) => [s.stack, s.values]),
  ]);
  const known = runs.get(key);
  if (known) return known;
  const run = await runOffline(cloud, input);
  runs.set(key, run);
  return run;
}

/** Shipped stack files read before: the tests only derive new configs from them. */
const shipped = new Map<string, ConfigInput>();

/** The config of a shipped stack file (`Pulumi.<stack>.yaml`), read and parsed once. */
export function shippedStack(stack: "staging" | "prod"): ConfigInput {
  let input = shipped.get(stack);
  if (!input) {
    const read = readStack(stack);
    input = Object.freeze({ ...read, values: Object.freeze({ ...read.values }) });
    shipped.set(stack, input);
  }
  return input;
}

/** Both shipped stacks, planned (once per test run, like every config). */
export async function shippedPlans(): Promise<{ staging: OfflineRun; prod: OfflineRun }> {
  return {
    staging: await plan(shippedStack("staging")),
    prod: await plan(shippedStack("prod")),
  };
}

export const mochaHooks = {
  beforeEach(): void {
    cloud.reset();
  },
};
