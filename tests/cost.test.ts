/**
 * The plan's monthly cost estimate: counted from the declared resources with the documented
 * price table.
 */
import { strict as assert } from "assert";
import { ASSUMPTIONS, PRICES, estimateMonthlyCost, totalMonthlyCost } from "../lib/cost";
import { planCost, summarize } from "../scripts/summary";
import { plan, shippedStack } from "./hooks";
import { FALLBACK_ON, withConfig } from "./support";

describe("monthly cost estimate", () => {
  it("prices what the prod stack declares: 4 secrets, 2 log groups, 2 repositories keeping 50 images", async () => {
    const lines = planCost(await plan(shippedStack("prod")));
    const byItem = (prefix: string) => lines.find((l) => l.item.startsWith(prefix));
    assert.equal(byItem("Secrets Manager")?.monthly, 4 * PRICES.secret);
    assert.equal(byItem("CloudWatch alarms")?.quantity, 0);
    assert.equal(byItem("Log ingestion")?.quantity, 2 * ASSUMPTIONS.logGbPerServiceMonth);
    assert.equal(byItem("ECR storage")?.quantity, 2 * 50 * ASSUMPTIONS.imageGb);
    assert.equal(totalMonthlyCost(lines), 4.66);
  });

  it("adds the break-glass alarm when the fallback is enabled, and ends the summary with the total", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:fallback": FALLBACK_ON,
      }),
    );
    assert.equal(planCost(run).find((l) => l.item === "CloudWatch alarms")?.monthly, PRICES.alarm);
    const text = summarize(run);
    assert.match(text, /Estimated fixed monthly cost in eu-west-1/);
    assert.match(text, /total +3\.16 per month$/);
  });

  it("rounds to cents and grows linearly", () => {
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
    assert.equal(ten, Math.round(one * 10 * 100) / 100);
  });
});
