/**
 * The offline cloud is strict: it refuses what it does not model, answers in the real
 * providers' formats, and every kind of resource the program declares is placed in each layer
 * of the plan (mock, summary, cost).
 */
import { strict as assert } from "assert";
import * as ecr from "@pulumi/aws/ecr";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { arnTemplate, renderArn } from "../lib/arns";
import { COST_BY_KIND } from "../lib/cost";
import { DATA_SOURCE_MOCKS, RESOURCE_MOCKS } from "../scripts/mocks";
import { OfflineRun, startOffline, waitForRegistrations } from "../scripts/offline";
import { SUMMARY_OF_KIND } from "../scripts/summary";
import { taskServices } from "../stacks/stage";
import { cloud, plan, shippedPlans, shippedStack } from "./hooks";
import { FALLBACK_ON, ofType, one, withConfig } from "./support";

/** Configs that between them declare every kind of resource the program has. */
async function variedRuns(): Promise<OfflineRun[]> {
  const staging = shippedStack("staging");
  const prod = shippedStack("prod");
  return [
    await plan(staging),
    await plan(prod),
    await plan(
      withConfig(staging, {
        "delivery:fallback": FALLBACK_ON,
        "delivery:github.commitWorkflows": true,
        "delivery:github.subjectClaims": { includeClaimKeys: ["repo", "context"], manage: true },
        "delivery:services.backend.taskRolePolicyArns": [
          "arn:aws:iam::123456789012:policy/shop-backend-app",
        ],
      }),
    ),
    await plan(
      withConfig(staging, {
        "delivery:ecs.cluster": { existingName: "legacy" },
        "delivery:services.backend.existingServiceName": "legacy-backend",
        "delivery:oidc": { mode: "existing" },
      }),
    ),
  ];
}

/** Waits for the program's registrations, failing as the engine would on a refused one. */
const registrations = () => Promise.race([waitForRegistrations(), cloud.failure]);

describe("offline cloud", () => {
  it("refuses a resource type it does not model, as a program error", async () => {
    await startOffline(cloud, shippedStack("staging"));
    new s3.Bucket("uploads", {});
    await assert.rejects(registrations(), /no mock for resource type aws:s3\/bucket:Bucket/);
  });

  it("refuses a component type that is not the program's own", async () => {
    await startOffline(cloud, shippedStack("staging"));
    new pulumi.ComponentResource("acme:storage:Uploads", "uploads", {});
    await assert.rejects(
      registrations(),
      /the offline cloud does not know the component type acme:storage:Uploads/,
    );
  });

  it("refuses a second registration of one URN, as the engine does at preview", async () => {
    await startOffline(cloud, shippedStack("staging"));
    new ecr.Repository("images", { name: "a" });
    new ecr.Repository("images", { name: "b" });
    await assert.rejects(registrations(), /Duplicate resource URN '.*::images'/);
  });

  it("refuses a data source it does not model", () => {
    assert.throws(
      () =>
        cloud.call({ token: "aws:s3/getBucket:getBucket", inputs: { bucket: "x" }, provider: "" }),
      /no mock for data source aws:s3\/getBucket:getBucket/,
    );
  });

  it("has a mock, a summary place and a price for every kind of resource the program declares", async () => {
    const declared = new Set(
      (await variedRuns()).flatMap((run) =>
        run.resources.filter((r) => r.custom).map((r) => r.type),
      ),
    );
    for (const type of declared) {
      assert.ok(type in RESOURCE_MOCKS, `${type} has no mock`);
      assert.ok(type in SUMMARY_OF_KIND, `${type} has no place in the summary`);
      if (!type.startsWith("pulumi:providers:")) {
        assert.ok(type in COST_BY_KIND, `${type} has no price`);
      }
    }
    // And the layers agree with each other: nothing priced or summarized that cannot be mocked.
    for (const type of [...Object.keys(COST_BY_KIND), ...Object.keys(SUMMARY_OF_KIND)]) {
      assert.ok(type in RESOURCE_MOCKS, `${type} is priced or summarized but has no mock`);
    }
    assert.ok(Object.keys(DATA_SOURCE_MOCKS).length > 0);
  });

  it("answers with the ids the real providers return", async () => {
    const [staging, , extra, existing] = await variedRuns();
    // terraform-provider-aws role_policy_attachment.go: role/policy_arn.
    const attachment = one(
      extra,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "shop-backend-task/shop-backend-app",
    );
    assert.equal(
      attachment.id,
      "shop-staging-backend-task/arn:aws:iam::123456789012:policy/shop-backend-app",
    );
    // ecs/cluster.go: the ARN.
    assert.equal(
      one(staging, "aws:ecs/cluster:Cluster", "shop-cluster").id,
      "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging",
    );
    // github: repo:environment and repo:environment:NAME.
    assert.equal(
      one(staging, "github:index/repositoryEnvironment:RepositoryEnvironment", "shop-github").id,
      "shop:staging",
    );
    assert.equal(
      one(
        staging,
        "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
        "shop-github-AWS_REGION",
      ).id,
      "shop:staging:AWS_REGION",
    );
    // The OIDC provider's URL comes back without its scheme, as IAM stores it.
    const provider = one(
      staging,
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "shop-oidc",
    );
    assert.equal(provider.state.url, "token.actions.githubusercontent.com");
    // Secret ARNs end in the name and six random characters.
    for (const secret of staging.resources.filter(
      (r) => r.type === "aws:secretsmanager/secret:Secret",
    )) {
      assert.match(String(secret.state.arn), /:secret:shop\/staging\/[a-z-]+-[A-Za-z0-9]{6}$/);
    }
    // A looked-up service's cluster is always an ARN.
    const service = existing.calls.find((c) => c.token === "aws:ecs/getService:getService");
    assert.ok(service);
  });
});

describe("ARN templates of the access model", () => {
  it("render to exactly the ARNs the providers return for the stage's resources", async () => {
    const { staging, prod } = await shippedPlans();
    for (const run of [staging, prod]) {
      const stage = run.stage;
      const render = (template: string) =>
        renderArn(template, { accountId: "123456789012", secretArns: {} });
      const arnsOf = (type: string) =>
        ofType(run, type)
          .map((r) => String(r.state.arn))
          .sort();
      assert.deepEqual(
        stage.services.map((s) => render(arnTemplate.repository(stage, s.names.repository))).sort(),
        arnsOf("aws:ecr/repository:Repository"),
      );
      assert.deepEqual(
        taskServices(stage.services)
          .map((s) => render(arnTemplate.logGroup(stage, s.names.logGroup)))
          .sort(),
        arnsOf("aws:cloudwatch/logGroup:LogGroup"),
      );
      assert.deepEqual(
        taskServices(stage.services)
          .map((s) =>
            render(arnTemplate.service(stage, stage.names.cluster ?? "", s.names.service)),
          )
          .sort(),
        arnsOf("aws:ecs/service:Service"),
      );
      const roles = [
        ...(stage.deployRole ? [stage.deployRole.name] : []),
        ...stage.roles.map((r) => r.name),
        ...taskServices(stage.services).flatMap((s) => [s.names.executionRole, s.names.taskRole]),
      ];
      assert.deepEqual(
        roles.map((r) => render(arnTemplate.role(stage, r))).sort(),
        arnsOf("aws:iam/role:Role"),
      );
      assert.deepEqual(
        [render(arnTemplate.cluster(stage, stage.names.cluster ?? ""))],
        arnsOf("aws:ecs/cluster:Cluster"),
      );
      // Every task definition's ARN is a revision of its family's template.
      for (const td of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
        const family = render(arnTemplate.taskFamily(stage, String(td.inputs.family)));
        assert.equal(String(td.state.arn).replace(/:\d+$/, ":*"), family);
      }
    }
  });
});
