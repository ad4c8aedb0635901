/**
 * URN stability: an upgrade of the program keeps every resource of the shipped stacks. A URN that
 * disappears without another resource naming it in `aliases` would make `pulumi up` replace the
 * resource: delete a repository with its images, a secret with its value, a log group.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { urnsFile } from "../scripts/urns";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { one, withConfig } from "./support";

describe("URN stability of the shipped stacks", () => {
  for (const stack of ["staging", "prod"] as const) {
    it(`keeps every recorded URN of ${stack}, or an alias to it`, async () => {
      const run = (await shippedPlans())[stack];
      const recorded = readFileSync(urnsFile(stack), "utf8").split("\n").filter(Boolean);
      const now = new Set(run.resources.map((r) => r.urn));
      const aliased = new Set(run.resources.flatMap((r) => r.options.aliases));
      const lost = recorded.filter((urn) => !now.has(urn) && !aliased.has(urn));
      assert.deepEqual(
        lost,
        [],
        `these resources would be replaced: give their new declarations aliases: [{ name: "<old name>" }], or, to delete them on purpose, remove their lines from ${urnsFile(stack)}`,
      );
      const added = [...now].filter((urn) => !recorded.includes(urn));
      assert.deepEqual(added, [], "new resources: record them with npm run urns");
    });
  }

  it("declares the old URN of a renamed resource as its alias: task role attachments were keyed by ARN", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.taskRolePolicyArns": [
          "arn:aws:iam::123456789012:policy/shop-backend-app",
        ],
      }),
    );
    const attachment = one(
      run,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "shop-backend-task/shop-backend-app",
    );
    const type =
      "delivery:stage:DeliveryStage$delivery:aws:FargateService$aws:iam/rolePolicyAttachment:RolePolicyAttachment";
    assert.deepEqual(attachment.options.aliases, [
      `urn:pulumi:staging::delivery::${type}::shop-backend-task-arn:aws:iam::123456789012:policy/shop-backend-app`,
    ]);
  });
});
