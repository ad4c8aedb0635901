/** The adapter over the SDK's internal runtime functions fails loudly when one is missing. */
import { strict as assert } from "assert";
import { SDK_VERSION, sdkInternal } from "../lib/sdkInternals";

describe("SDK internals adapter", () => {
  it("finds both functions in the installed SDK", () => {
    assert.equal(typeof sdkInternal("isConfigSecret"), "function");
    assert.equal(typeof sdkInternal("waitForRPCs"), "function");
  });

  it("names the SDK version and the function when the SDK lacks it", () => {
    assert.throws(
      () => sdkInternal("isConfigSecret", {}),
      (err: Error) =>
        err.message.includes(`@pulumi/pulumi ${SDK_VERSION} has no runtime.isConfigSecret`) &&
        err.message.includes("npm ci"),
    );
  });
});
