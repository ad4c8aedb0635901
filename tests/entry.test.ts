/**
 * The program's entry point as the Pulumi CLI runs it: `index.ts` reads the stack's config from
 * the runtime, builds the stage and exports the outputs.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { startOffline, waitForRegistrations, withoutStackTraces } from "../scripts/offline";
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

describe("Pulumi.yaml", () => {
  it("requires a Pulumi CLI whose imports keep their import id (adopted clusters are imported by name)", () => {
    const project = parse(readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as {
      requiredPulumiVersion?: string;
    };
    assert.equal(project.requiredPulumiVersion, ">=3.252.0");
  });
});
