/**
 * The one mock setup of the test process (loaded by .mocharc.json before any test file). Every
 * test that builds resources uses this cloud through `plan()`; setting mocks from several files
 * would let one overwrite the other and the losing file's tests check nothing.
 */
import * as path from "path";
import { MockCloud } from "../scripts/mocks";
import { OfflineRun, runOffline } from "../scripts/offline";
import { readStackFile } from "../scripts/stackFile";
import { ConfigInput } from "../stacks/load";

/** The process-wide mock cloud. */
export const cloud = new MockCloud({
  accountId: "123456789012",
  region: "eu-west-1",
  githubOwner: "acme",
});

/** Builds a stack offline from its config and returns everything it declared. */
export function plan(input: ConfigInput): Promise<OfflineRun> {
  return runOffline(cloud, input);
}

/** The config of a shipped stack file (`Pulumi.<stack>.yaml`). */
export function shippedStack(stack: "staging" | "prod"): ConfigInput {
  return readStackFile(stack, path.join(__dirname, "..", `Pulumi.${stack}.yaml`));
}

export const mochaHooks = {
  beforeEach(): void {
    cloud.reset();
  },
};
