/**
 * The plan's monthly cost estimate: counted from the declared resources and priced at AWS's list
 * prices. The expected prices are written out from AWS's pricing pages (us-east-1, USD), not read
 * from the product's price table, so a wrong table entry fails here:
 * - Secrets Manager: $0.40 per secret per month (https://aws.amazon.com/secrets-manager/pricing/)
 * - CloudWatch: $0.10 per standard-resolution alarm metric per month; Logs (Standard class) $0.50
 *   per GB ingested and $0.03 per GB-month stored (https://aws.amazon.com/cloudwatch/pricing/)
 * - ECR: $0.10 per GB-month of storage (https://aws.amazon.com/ecr/pricing/)
 * - KMS: $1.00 per customer-managed key per month (https://aws.amazon.com/kms/pricing/)
 */
import { strict as assert } from "assert";
import { CostLine, estimateMonthlyCost, totalMonthlyCost } from "../lib/cost";
import { planCost, summarize } from "../scripts/summary";
import { plan, shippedStack } from "./hooks";
import { FALLBACK_ON, withConfig } from "./support";

/** The estimate's line whose item starts with `prefix`, as [quantity, unit price, monthly]. */
function priced(lines: readonly CostLine[], prefix: string): [number, number, number] {
  const line = lines.find((l) => l.item.startsWith(prefix));
  if (!line)
    throw new Error(`no cost line ${prefix}; have: ${lines.map((l) => l.item).join(", ")}`);
  return [line.quantity, line.unitPrice, line.monthly];
}

describe("monthly cost estimate", () => {
  it("prices what the prod stack declares: 4 secrets, 2 log groups, 2 repositories keeping 50 images", async () => {
    const lines = planCost(await plan(shippedStack("prod")));
    assert.deepEqual(priced(lines, "Secrets Manager"), [4, 0.4, 1.6]);
    assert.deepEqual(priced(lines, "KMS keys"), [0, 1, 0]);
    assert.deepEqual(priced(lines, "CloudWatch alarms"), [0, 0.1, 0]);
    // 1 GB per service assumed, for 2 services.
    assert.deepEqual(priced(lines, "Log ingestion"), [2, 0.5, 1]);
    assert.deepEqual(priced(lines, "Log storage"), [2, 0.03, 0.06]);
    // 2 repositories x 50 images kept x 0.2 GB per image assumed.
    assert.deepEqual(priced(lines, "ECR storage"), [20, 0.1, 2]);
    assert.equal(totalMonthlyCost(lines), 4.66);
  });

  it("adds the break-glass alarm when the fallback is enabled, and ends the summary with the total", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:fallback": FALLBACK_ON,
      }),
    );
    assert.deepEqual(priced(planCost(run), "CloudWatch alarms"), [1, 0.1, 0.1]);
    const text = summarize(run);
    assert.match(text, /Estimated fixed monthly cost in eu-west-1/);
    // 3 secrets 1.20 + 1 alarm 0.10 + logs 1.00 + 0.06 + 8 GB of images 0.80.
    assert.match(text, /total +3\.16 per month$/);
  });

  it("rounds to cents and grows linearly", () => {
    // 1 secret 0.40 + 1 GB of logs 0.50 + 0.03 + 10 images (2 GB) 0.20.
    const one = totalMonthlyCost(
      estimateMonthlyCost({ secrets: 1, kmsKeys: 0, alarms: 0, logGroups: 1, imagesKept: [10] }),
    );
    const ten = totalMonthlyCost(
      estimateMonthlyCost({
        secrets: 10,
        kmsKeys: 0,
        alarms: 0,
        logGroups: 10,
        imagesKept: Array(10).fill(10),
      }),
    );
    assert.equal(one, 1.13);
    assert.equal(ten, 11.3);
  });

  it("prices a customer-managed KMS key at a dollar a month", () => {
    const lines = estimateMonthlyCost({
      secrets: 0,
      kmsKeys: 2,
      alarms: 0,
      logGroups: 0,
      imagesKept: [],
    });
    assert.deepEqual(priced(lines, "KMS keys"), [2, 1, 2]);
    assert.equal(totalMonthlyCost(lines), 2);
  });
});
