/**
 * The program's entry point as the Pulumi CLI runs it: `index.ts` reads the stack's config from
 * the runtime, builds the stage and exports the outputs.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { buildStage } from "../components/deliveryStage";
import { MockCloud } from "../scripts/mocks";
import { startOffline, waitForRegistrations, withoutStackTraces } from "../scripts/offline";
import { loadStage, readRuntimeConfig } from "../stacks/load";
import { PROJECT_DIR } from "../stacks/stackFiles";
import { cloud, shippedStack } from "./hooks";

/** Resolves a stack output (plain values pass through). */
function resolve(value: unknown): Promise<unknown> {
  const output: pulumi.Output<unknown> = pulumi.output(value);
  return new Promise((r) => output.apply(r));
}

describe("index.ts", () => {
  it("builds the stack from the runtime's config and exports names and ARNs, never secret values", async () => {
    await startOffline(cloud, shippedStack("prod"));
    // Required here, after the mocks and config are set: a static import would run the program
    // when this file loads. Loaded once per process (a second require returns the cached module).
    // Everything the program declares is registered before the next test resets the cloud.
    const program = await withoutStackTraces(async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require("../index") as Record<string, unknown>;
      await waitForRegistrations();
      return loaded;
    });
    assert.equal(
      await resolve(program.deployRoleArn),
      "arn:aws:iam::123456789012:role/shop-prod-deploy",
    );
    assert.equal(program.githubEnvironment, "production");
    const services = (await resolve(program.services)) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(services).sort(), ["backend", "frontend"]);
    assert.equal(services.backend.taskDefinitionFamily, "shop-prod-backend");
    const roleArns = (await resolve(program.roleArns)) as Record<string, string>;
    assert.deepEqual(Object.keys(roleArns).sort(), ["preview", "publish"]);
    for (const name of ["secretArns", "services", "githubVariables"]) {
      const output: pulumi.Output<unknown> = pulumi.output(program[name]);
      assert.equal(await pulumi.isSecret(output), false, `${name} is not secret-tainted`);
    }
    assert.equal(cloud.resources.filter((r) => r.type === "aws:ecs/service:Service").length, 2);
  });
});

describe("the program with credentials of another account", () => {
  it("fails, naming the account and the one the stack runs in, before declaring anything on GitHub or in AWS", async () => {
    // The shipped prod stack names target groups of 123456789012; these credentials are not.
    const other = new MockCloud({ ...cloud.options, accountId: "210987654321" });
    const input = shippedStack("prod");
    // An error the program leaves unhandled fails the run (the Node.js language host reports it).
    // The mock runtime is all promises, and Node reports an unhandled rejection only once no
    // promise work is left: by then the program has declared all it ever will.
    const unhandled: unknown[] = [];
    let onUnhandled: (reason: unknown) => void = () => undefined;
    const failure = new Promise<"failed">((resolve) => {
      onUnhandled = (reason) => {
        unhandled.push(reason);
        resolve("failed");
      };
    });
    process.on("unhandledRejection", onUnhandled);
    try {
      await startOffline(other, input);
      // As index.ts does, without the offline plan's own account check before the program runs.
      const stage = loadStage({ ...readRuntimeConfig(), siblings: input.siblings ?? [] });
      assert.deepEqual(stage.allowedAccountIds, ["123456789012"]);
      const outcome = await withoutStackTraces(() => {
        buildStage(stage);
        return Promise.race([
          failure,
          // Node reports an unhandled rejection after the microtasks that made it: one turn later.
          waitForRegistrations()
            .then(() => new Promise((resolve) => setImmediate(resolve)))
            .then(() => "completed"),
          other.failure,
        ]);
      });
      assert.equal(outcome, "failed", "the program must fail");
      assert.match(
        String((unhandled[0] as Error).message),
        /the AWS credentials are for account 210987654321, but this stack runs only in 123456789012/,
      );
      const onGithub = other.resources.filter(
        (r) => r.type.startsWith("github:") || r.type === "pulumi:providers:github",
      );
      assert.deepEqual(
        onGithub.map((r) => r.type),
        [],
        "the GitHub side waits for the account check",
      );
      // So does the rest: only the AWS provider is declared, which refuses the credentials itself
      // under the real engine (allowedAccountIds).
      assert.deepEqual(
        other.resources.map((r) => r.type),
        ["pulumi:providers:aws"],
      );
    } finally {
      process.off("unhandledRejection", onUnhandled);
      // Back to the suite's cloud (tests/hooks.ts), as every other test expects.
      await startOffline(cloud, shippedStack("prod"));
    }
  });
});

describe("Pulumi.yaml", () => {
  it("requires a Pulumi CLI whose imports keep their import id (adopted clusters are imported by name)", () => {
    const project = parse(readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
      requiredPulumiVersion?: string;
    };
    assert.equal(project.requiredPulumiVersion, ">=3.252.0");
  });
});
