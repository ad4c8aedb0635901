/**
 * The names table: every physical name is checked against its namespace before anything is
 * declared, so AWS never sees one name asked for twice or a name it refuses.
 */
import { strict as assert } from "assert";
import { nameProblems } from "../stacks/names";
import { shippedPlans, shippedStack } from "./hooks";
import { ofType, refusedWith, withConfig } from "./support";

const staging = () => shippedStack("staging");

describe("names table", () => {
  it("refuses an extra role named like a service's execution role", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:roles.backend-execution": {
          subjects: ["environment:staging"],
          grants: { readSecrets: ["jwt-secret"] },
        },
      }),
      "delivery:roles.backend-execution",
      '"shop-staging-backend-execution"',
      "the execution role of service backend",
    );
  });

  it("refuses a repositoryName that is another service's repository", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:services.frontend.repositoryName": "shop-staging-backend",
      }),
      "delivery:services.frontend.repositoryName",
      "the repository of service backend",
    );
  });

  it("refuses two secrets with one Secrets Manager name", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:secrets.openai-key.name": "shop/staging/jwt-secret" }),
      "delivery:secrets.openai-key.name",
      '"shop/staging/jwt-secret"',
      "secret jwt-secret",
    );
  });

  it("refuses two GitHub secrets whose names differ only in letter case, as GitHub sees one name", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:github.secrets.DEPLOY_TOKEN": { source: "generated" },
        "delivery:github.secrets.deploy_token": { source: "generated" },
      }),
      "delivery:github.secrets.DEPLOY_TOKEN",
      "like secret deploy_token",
      "same ignoring letter case",
    );
  });

  it("refuses an adopted log group that is another service's log group", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:adopt.logGroups": { frontend: "/ecs/shop-staging-backend" },
      }),
      "delivery:adopt.logGroups.frontend",
      "the log group of service backend",
    );
  });

  it("refuses an existing service that another service of the cluster is named like", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:services.frontend.existingServiceName": "shop-staging-backend",
      }),
      "delivery:services.frontend.existingServiceName",
      "the ECS service of service backend",
    );
  });

  it("refuses an adopted secret whose name only starts with the configured name", async () => {
    await refusedWith(
      withConfig(staging(), {
        "delivery:secrets.openai-key.name": "shop/openai-key",
        "delivery:adopt.secrets": {
          "openai-key":
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/openai-key-legacy-AbCdEf",
        },
      }),
      "delivery:adopt.secrets.openai-key",
      "does not belong to",
    );
  });

  it("reports a clash together with the other problems of the config", async () => {
    const err = await refusedWith(
      withConfig(staging(), {
        "delivery:tags.owner": "a&b",
        "delivery:roles.backend-task": {
          subjects: ["environment:staging"],
          grants: { readSecrets: ["jwt-secret"] },
        },
      }),
      "delivery:roles.backend-task",
      "the task role of service backend",
    );
    assert.ok(err.problems.some((p) => p.startsWith("delivery:tags.owner")));
  });

  it("treats IAM names that differ only in letter case as one name", () => {
    const problems = nameProblems([
      { namespace: "iamRole", name: "Shop-Deploy", key: "a", owner: "role A" },
      { namespace: "iamRole", name: "shop-deploy", key: "b", owner: "role B" },
      { namespace: "ecsCluster", name: "Shop", key: "c", owner: "cluster C" },
      { namespace: "ecsCluster", name: "shop", key: "d", owner: "cluster D" },
    ]);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /^b: role B would be named "shop-deploy", like role A \(a\)/);
    assert.match(problems[0], /same ignoring letter case/);
  });

  it("refuses more names than a namespace may hold", () => {
    const variables = Array.from({ length: 101 }, (_, i) => ({
      namespace: "githubVariable" as const,
      name: `VAR_${i}`,
      key: "delivery:github.variables",
      owner: `variable ${i}`,
      scope: "environment staging",
    }));
    const problems = nameProblems(variables);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /101 GitHub environment variable names in environment staging/);
    assert.match(problems[0], /at most 100/);
  });

  it("gives the shipped stacks' resources exactly the names of the table's rules", async () => {
    const { staging: s, prod: p } = await shippedPlans();
    for (const run of [s, p]) {
      // IAM CreateRole's RoleName: [\w+=,.@-]+, 1 to 64 characters.
      for (const role of ofType(run, "aws:iam/role:Role")) {
        const name = String(role.inputs.name);
        assert.ok(/^[\w+=,.@-]{1,64}$/.test(name), name);
      }
      // ECR CreateRepository's repositoryName, 2 to 256 characters.
      const ecrName = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
      for (const repo of ofType(run, "aws:ecr/repository:Repository")) {
        const name = String(repo.inputs.name);
        assert.ok(ecrName.test(name) && name.length >= 2 && name.length <= 256, name);
      }
    }
  });
});
