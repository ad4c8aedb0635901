/**
 * One stage never reaches another: a staging config wired into prod (adopting its secret,
 * repository, cluster or log group; naming its repository, secret or service; pointing at its
 * target group or key) is refused before anything is declared, with or without prod's stack file
 * beside it. A resource both stages share on purpose is declared on both sides and printed in both
 * plans.
 */
import { strict as assert } from "assert";
import { planDocument } from "../scripts/plan";
import { summarize } from "../scripts/summary";
import { ACCOUNT } from "./iam";
import { plan, shippedStack } from "./hooks";
import { refusedWith, withConfig } from "./support";

const staging = () => shippedStack("staging");
const prod = () => shippedStack("prod");
const PROD_TARGET_GROUP = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/shop-prod-backend/6d0ecf831eec9f09`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("stage isolation: staging wired into prod", () => {
  const wired: [string, Record<string, unknown>, string, string][] = [
    [
      "adopting prod's secret",
      {
        "delivery:adopt.secrets.jwt-secret": `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:shop/prod/jwt-secret-LjqWMR`,
      },
      "delivery:adopt.secrets.jwt-secret",
      "a resource of the other stage",
    ],
    [
      "adopting prod's repository",
      { "delivery:adopt.repositories.backend": "shop-prod-backend" },
      "delivery:adopt.repositories.backend",
      "which is the repository of service backend of stack prod",
    ],
    [
      "adopting prod's cluster",
      { "delivery:adopt.cluster": "shop-prod" },
      "delivery:adopt.cluster",
      "which is the cluster of stack prod",
    ],
    [
      "running on prod's cluster",
      { "delivery:ecs.cluster": { existingName: "shop-prod" } },
      "delivery:ecs.cluster",
      "which is the cluster of stack prod",
    ],
    [
      "adopting prod's log group",
      { "delivery:adopt.logGroups.backend": "/ecs/shop-prod-backend" },
      "delivery:adopt.logGroups.backend",
      "which is the log group of service backend of stack prod",
    ],
    [
      "naming prod's repository",
      { "delivery:services.backend.repositoryName": "shop-prod-backend" },
      "delivery:services.backend.repositoryName",
      "of stack prod",
    ],
    [
      "naming prod's secret",
      { "delivery:secrets.jwt-secret.name": "shop/prod/jwt-secret" },
      "delivery:secrets.jwt-secret.name",
      "which is secret jwt-secret of stack prod",
    ],
    [
      "taking over prod's service",
      { "delivery:services.backend.existingServiceName": "shop-prod-backend" },
      "delivery:services.backend.existingServiceName",
      "named like a resource of the other stage",
    ],
    [
      "sending traffic to prod's target group",
      { "delivery:services.backend.targetGroupArn": PROD_TARGET_GROUP },
      "delivery:services.backend.targetGroupArn",
      "also in the config of stack prod",
    ],
  ];
  for (const [what, changes, key, reason] of wired) {
    it(`refuses staging ${what}`, async () => {
      await refusedWith(withConfig(staging(), changes), key, reason, "delivery:shared");
    });
  }

  it("refuses staging encrypting with the key prod's stack file names", async () => {
    const prodWithKey = withConfig(prod(), { "delivery:ecr.kmsKeyArn": KEY });
    const input = {
      ...withConfig(staging(), { "delivery:ecr.kmsKeyArn": KEY }),
      siblings: [prodWithKey],
    };
    await refusedWith(input, "delivery:ecr.kmsKeyArn", "also in the config of stack prod");
  });

  it("refuses prod reaching into staging's names too", async () => {
    await refusedWith(
      withConfig(prod(), { "delivery:secrets.jwt-secret.name": "shop/staging/jwt-secret" }),
      "delivery:secrets.jwt-secret.name",
      "of stack staging",
    );
  });

  it("refuses prod's standard names without prod's stack file beside it", async () => {
    const alone = {
      ...withConfig(staging(), { "delivery:adopt.repositories.backend": "shop-prod-backend" }),
      siblings: [],
    };
    await refusedWith(
      alone,
      "delivery:adopt.repositories.backend",
      "named like a resource of the other stage's stack prod",
    );
  });

  it("accepts what only looks like another stage's name: an account-wide OIDC provider and permissions boundary", async () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/shop-boundary`;
    const both = (base: ReturnType<typeof staging>) =>
      withConfig(base, { "delivery:deployRole.permissionsBoundary": boundary });
    const run = await plan({ ...both(staging()), siblings: [both(prod())] });
    assert.equal(run.stage.name, "staging");
  });
});

describe("stage isolation: a resource shared on purpose", () => {
  const repo = "shop-images-backend";
  const sharing = (base: ReturnType<typeof staging>, other: string, declare: boolean) =>
    withConfig(base, {
      "delivery:services.backend.repositoryName": repo,
      ...(declare ? { "delivery:shared": [{ resource: repo, with: other }] } : {}),
    });

  it("is accepted when both stacks declare it, and both plans print it", async () => {
    const s = { ...sharing(staging(), "prod", true), siblings: [sharing(prod(), "staging", true)] };
    const p = { ...sharing(prod(), "staging", true), siblings: [sharing(staging(), "prod", true)] };
    for (const [input, other] of [
      [s, "prod"],
      [p, "staging"],
    ] as const) {
      const run = await plan(input);
      assert.match(summarize(run), new RegExp(`^SHARED with stack ${other} .*: ${repo}$`, "m"));
      assert.deepEqual(planDocument(run).shared, [{ resource: repo, with: other }]);
    }
  });

  it("is refused when the other stack shares the name without saying so here", async () => {
    const input = {
      ...sharing(staging(), "prod", false),
      siblings: [sharing(prod(), "staging", true)],
    };
    await refusedWith(input, "delivery:services.backend.repositoryName", "of stack prod");
  });

  it("is refused when only this stack declares it", async () => {
    const input = {
      ...sharing(staging(), "prod", true),
      siblings: [sharing(prod(), "staging", false)],
    };
    await refusedWith(input, "delivery:shared[0]", "stack prod does not declare");
  });

  it("is refused when the stage has no such resource", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:shared": [{ resource: "shop-prod-frontend", with: "prod" }],
      }),
      "delivery:shared[0]",
      "no name or ARN of this stage",
    );
  });
});
