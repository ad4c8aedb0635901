/**
 * The GitHub side: the environment's protection, the secrets and variables deploy jobs read, and
 * the pairing between the environment and the deploy role's trust.
 */
import { strict as assert } from "assert";
import { OfflineRun } from "../scripts/offline";
import { summarize } from "../scripts/summary";
import { appRepoFiles } from "../lib/appRepoFiles";
import { plan, shippedPlans, shippedStack } from "./hooks";
import {
  AUD,
  ofType,
  one,
  problemFor,
  refusal,
  refusedWith,
  trustAdmits,
  trustOf,
  withConfig,
} from "./support";

const ENV = "github:index/repositoryEnvironment:RepositoryEnvironment";
const POLICY =
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
const SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret";
const VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";
const FILE = "github:index/repositoryFile:RepositoryFile";
const TEMPLATE =
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate";

const variables = (run: OfflineRun) =>
  Object.fromEntries(
    ofType(run, VARIABLE).map((v) => [String(v.inputs.variableName), v.inputs.value]),
  );

describe("GitHub environment", () => {
  let staging: OfflineRun;
  let prod: OfflineRun;
  before(async () => {
    ({ staging, prod } = await shippedPlans());
  });

  it("protects production: resolved reviewers, no self-review, a wait timer, no admin bypass", () => {
    const env = one(prod, ENV, "shop-github");
    assert.equal(env.inputs.repository, "shop");
    assert.equal(env.inputs.environment, "production");
    assert.equal(env.inputs.preventSelfReview, true);
    assert.equal(env.inputs.canAdminsBypass, false);
    assert.equal(env.inputs.waitTimer, 5);
    const userId = prod.calls.find(
      (c) => c.token === "github:index/getUser:getUser" && c.inputs.username === "alice-ops",
    );
    const teamId = prod.calls.find(
      (c) => c.token === "github:index/getTeam:getTeam" && c.inputs.slug === "shop-maintainers",
    );
    assert.ok(userId && teamId, "reviewers are resolved through the provider's data sources");
    const [reviewers] = env.inputs.reviewers as { users: number[]; teams: number[] }[];
    assert.equal(reviewers.users.length, 1);
    assert.equal(reviewers.teams.length, 1);
    assert.ok(reviewers.users.every((id) => Number.isInteger(id) && id > 0));
    assert.deepEqual(env.inputs.deploymentBranchPolicy, {
      protectedBranches: false,
      customBranchPolicies: true,
    });
  });

  it("admits only the configured refs: prod from its tags, staging from main", () => {
    const refs = (run: OfflineRun) =>
      ofType(run, POLICY)
        .map((p) =>
          typeof p.inputs.tagPattern === "string"
            ? `tag:${p.inputs.tagPattern}`
            : `branch:${String(p.inputs.branchPattern as string)}`,
        )
        .sort();
    assert.deepEqual(refs(prod), ["tag:backend-v*", "tag:frontend-v*", "tag:package-v*"]);
    assert.deepEqual(refs(staging), ["branch:main"]);
    for (const p of ofType(prod, POLICY)) assert.equal(p.inputs.environment, "production");
  });

  it("lets staging deploy without reviewers", () => {
    const env = one(staging, ENV, "shop-github");
    assert.deepEqual(env.inputs.reviewers, []);
    assert.equal(env.inputs.environment, "staging");
  });

  it("refuses prod without a reviewer unless the waiver says why, and then prints it first", async () => {
    const noReviewers = withConfig(shippedStack("prod"), {
      "delivery:github.protection.reviewers": { users: [], teams: [] },
    });
    await refusedWith(noReviewers, "delivery:github.protection.reviewers", "no required reviewer");
    const reason = "a team of one: the owner deploys alone until a second person joins";
    const waived = await plan(
      withConfig(noReviewers, { "delivery:waivers": { prodWithoutReview: reason } }),
    );
    assert.deepEqual(one(waived, ENV, "shop-github").inputs.reviewers, []);
    const text = summarize(waived);
    assert.ok(
      text.split("\n").findIndex((l) => l.includes(reason)) < text.indexOf("GitHub OIDC provider"),
      "the waiver comes before everything else",
    );
    assert.match(text, /WARNING: waived by delivery:waivers.prodWithoutReview/);
  });

  it("writes the deploy role as AWS_ROLE_ARN and app secrets only as secrets", () => {
    const secrets = ofType(prod, SECRET);
    // AWS_ROLE_ARN is the name the credential check script and the deploy workflows read.
    assert.deepEqual(secrets.map((s) => s.inputs.secretName).sort(), [
      "API_KEY_PREFIX",
      "AWS_ROLE_ARN",
      "DATABASE_URL",
    ]);
    for (const s of secrets) {
      assert.equal(s.inputs.value, "[secret]");
      assert.deepEqual(s.secretInputs, ["value"]);
      assert.equal(s.inputs.plaintextValue, undefined);
    }
    const roleArn = secrets.find((s) => s.inputs.secretName === "AWS_ROLE_ARN");
    assert.equal(roleArn?.rawInputs.value, "arn:aws:iam::123456789012:role/shop-prod-deploy");
    const variableNames = Object.keys(variables(prod));
    for (const name of ["DATABASE_URL", "API_KEY_PREFIX", "AWS_ROLE_ARN"])
      assert.ok(!variableNames.includes(name));
  });

  it("writes every variable from the real resources, with the names the workflows read", () => {
    // Written out: these names and values are what app repositories' workflows rely on.
    assert.deepEqual(variables(prod), {
      AWS_REGION: "eu-west-1",
      AWS_ACCOUNT_ID: "123456789012",
      ECS_CLUSTER: "shop-prod",
      APP_URL: "https://shop.example.com",
      ECR_REPOSITORY_BACKEND: "shop-prod-backend",
      ECR_REPOSITORY_FRONTEND: "shop-prod-frontend",
      ECS_SERVICE_BACKEND: "shop-prod-backend",
      ECS_SERVICE_FRONTEND: "shop-prod-frontend",
      ECS_TASK_DEFINITION_BACKEND: "shop-prod-backend",
      ECS_TASK_DEFINITION_FRONTEND: "shop-prod-frontend",
      ECS_CONTAINER_NAME_BACKEND: "backend",
      ECS_CONTAINER_NAME_FRONTEND: "frontend",
      ECS_LOG_GROUP_BACKEND: "/ecs/shop-prod-backend",
      ECS_LOG_GROUP_FRONTEND: "/ecs/shop-prod-frontend",
    });
  });

  it("keeps one variable per name up to GitHub's 100 per environment, and one JSON variable for the services past it", async () => {
    // The shipped stage's variables plus user variables up to exactly 100, then one more.
    const upTo = (total: number) =>
      plan(
        withConfig(
          shippedStack("staging"),
          Object.fromEntries(
            Array.from({ length: total - ofType(staging, VARIABLE).length }, (_, i) => [
              `delivery:github.variables.SETTING_${i}`,
              "x",
            ]),
          ),
        ),
      );
    const flat = variables(await upTo(100));
    assert.equal(Object.keys(flat).length, 100);
    assert.equal(flat.ECR_REPOSITORY_BACKEND, "shop-staging-backend");
    assert.equal(flat.DELIVERY_SERVICES, undefined);
    const compact = variables(await upTo(101));
    assert.ok(Object.keys(compact).length <= 100);
    assert.equal(compact.ECR_REPOSITORY_BACKEND, undefined);
    assert.equal(
      (JSON.parse(String(compact.DELIVERY_SERVICES)) as Record<string, { repository: string }>)
        .backend.repository,
      "shop-staging-backend",
    );
  });

  it("names variables of hyphenated services in upper case with underscores", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.admin-api": { port: 3000, healthCheckPath: "/healthz" },
      }),
    );
    assert.equal(variables(run).ECR_REPOSITORY_ADMIN_API, "shop-staging-admin-api");
    assert.equal(variables(run).ECS_CONTAINER_NAME_ADMIN_API, "admin-api");
  });

  it("writes the names a team's own workflows already read: a service's variables and the deploy role's ARN", async () => {
    const run = await plan(
      withConfig(shippedStack("prod"), {
        "delivery:services.backend.variableNames": {
          repository: "BACKEND_ECR_REPO",
          cluster: "ECS_CLUSTER_BACKEND",
        },
        "delivery:deployRole.githubOutput": { name: "AWS_ROLE_TO_ASSUME", kind: "variable" },
      }),
    );
    const vars = variables(run);
    assert.equal(vars.BACKEND_ECR_REPO, "shop-prod-backend");
    assert.equal(vars.ECS_CLUSTER_BACKEND, "shop-prod");
    assert.equal(vars.ECS_CLUSTER, "shop-prod");
    assert.equal(vars.ECS_SERVICE_BACKEND, "shop-prod-backend");
    assert.equal(vars.ECR_REPOSITORY_BACKEND, undefined);
    assert.equal(vars.AWS_ROLE_TO_ASSUME, "arn:aws:iam::123456789012:role/shop-prod-deploy");
    // The deploy workflows assume the role from there, and tell the credential check where it is.
    const workflow = appRepoFiles(run.stage)[".github/workflows/deploy-backend-prod.yml"];
    assert.match(workflow, /role-to-assume: \$\{\{ vars\.AWS_ROLE_TO_ASSUME \}\}/);
    assert.match(workflow, /ROLE_ARN_SOURCE: variable AWS_ROLE_TO_ASSUME/);
    assert.doesNotMatch(workflow, /secrets\.AWS_ROLE_ARN/);
    assert.deepEqual(
      ofType(run, SECRET)
        .map((s) => s.inputs.secretName)
        .sort(),
      ["API_KEY_PREFIX", "DATABASE_URL"],
    );
  });

  it("refuses own variable names that the stage would not write, or that collide", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:github.variableLayout": "compact",
        "delivery:services.backend.variableNames": { repository: "BACKEND_ECR_REPO" },
      }),
      "delivery:services.backend.variableNames",
      "the compact layout writes one DELIVERY_SERVICES variable",
    );
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:ecs.network": undefined,
        "delivery:services.backend.variableNames": { service: "BACKEND_SERVICE" },
      }),
      "delivery:services.backend.variableNames.service",
      "the service does not run on the stage's cluster",
    );
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.variableNames": { repository: "APP_URL" },
      }),
      "delivery:github.variables.APP_URL",
      "like the repository variable of service backend",
    );
    // Not the program's own names, nor a secret's (vars.DATABASE_URL would pass for the secret).
    const err = await refusal(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.variableNames": {
          repository: "AWS_ROLE_ARN",
          taskDefinition: "delivery_services",
          containerName: "DATABASE_URL",
        },
        "delivery:deployRole.githubOutput": { name: "AWS_ACCESS_KEY_ID", kind: "variable" },
      }),
    );
    problemFor(
      err.problems,
      "delivery:services.backend.variableNames.repository",
      "the program's own name for the deploy role's ARN secret",
    );
    problemFor(
      err.problems,
      "delivery:services.backend.variableNames.taskDefinition",
      "the compact layout's variable",
    );
    problemFor(
      err.problems,
      "delivery:services.backend.variableNames.containerName",
      "delivery:github.secrets.DATABASE_URL",
    );
    problemFor(err.problems, "delivery:deployRole.githubOutput.name", "a break-glass key secret");
    // The deploy role's ARN may keep its default name as a variable: no secret has it then.
    const asVariable = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:deployRole.githubOutput": { name: "AWS_ROLE_ARN", kind: "variable" },
      }),
    );
    assert.equal(
      variables(asVariable).AWS_ROLE_ARN,
      "arn:aws:iam::123456789012:role/shop-staging-deploy",
    );
    assert.ok(!ofType(asVariable, SECRET).some((s) => s.inputs.secretName === "AWS_ROLE_ARN"));
  });

  it("refuses variables that look like secrets or that the program writes itself", async () => {
    const { problems } = await refusal(
      withConfig(shippedStack("staging"), {
        "delivery:github.variables.STRIPE_TOKEN": "x",
        "delivery:github.variables.AWS_REGION": "us-east-1",
      }),
    );
    problemFor(problems, "delivery:github.variables.STRIPE_TOKEN", "looks like a secret");
    problemFor(problems, "delivery:github.variables.AWS_REGION", "written by the program");
  });

  it("commits the deploy workflows and their credential check to the app repository's default branch only when asked", async () => {
    assert.equal(ofType(staging, FILE).length, 0, "nothing is committed by default");
    const run = await plan(
      withConfig(shippedStack("staging"), { "delivery:github.commitWorkflows": true }),
    );
    const files = ofType(run, FILE);
    assert.deepEqual(files.map((f) => f.inputs.file).sort(), [
      ".github/scripts/check-aws-credentials.sh",
      ".github/workflows/deploy-backend-staging.yml",
      ".github/workflows/deploy-frontend-staging.yml",
    ]);
    for (const f of files) {
      assert.equal(f.inputs.repository, "shop", String(f.inputs.file));
      // Without a branch the provider commits to the repository's default branch, the one the
      // ruleset check for commitWorkflows (stacks/rules/githubPlan.ts) reasons about.
      assert.equal(
        f.inputs.branch,
        undefined,
        `${String(f.inputs.file)} goes to the default branch`,
      );
    }
  });

  it("pairs the environment with the deploy role: the role trusts exactly the environment GitHub protects", () => {
    for (const run of [staging, prod]) {
      const environment = String(one(run, ENV, "shop-github").inputs.environment);
      const trust = trustOf(run);
      assert.ok(trustAdmits(trust, { sub: `repo:acme/shop:environment:${environment}`, aud: AUD }));
      assert.equal(
        trustAdmits(trust, { sub: "repo:acme/shop:ref:refs/tags/backend-v1.0.0", aud: AUD }),
        false,
      );
    }
    const text = summarize(prod);
    assert.ok(text.includes("GitHub environment production on shop"));
    assert.ok(
      text.includes(
        "trusted by AWS roles: shop-prod-deploy, shop-prod-publish (their sub ends in environment:production)",
      ),
    );
  });

  it("manages nothing on GitHub when config says so", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), { "delivery:github.manage": false }),
    );
    assert.equal(run.resources.filter((r) => r.type.startsWith("github:index/")).length, 0);
  });
});

describe("subject formats", () => {
  const immutable = {
    "delivery:github.subjectFormat": "immutable",
    "delivery:github.ownerId": 1234,
    "delivery:github.repositoryId": 5678,
    "delivery:roles.preview.repositoryId": 9012,
  };

  it("renders trust for immutable ids, refusing the name-only subject and a re-registered name", async () => {
    const run = await plan(withConfig(shippedStack("prod"), immutable));
    const trust = trustOf(run);
    assert.ok(
      trustAdmits(trust, { sub: "repo:acme@1234/shop@5678:environment:production", aud: AUD }),
    );
    assert.equal(
      trustAdmits(trust, { sub: "repo:acme/shop:environment:production", aud: AUD }),
      false,
    );
    assert.equal(
      trustAdmits(trust, { sub: "repo:acme@9999/shop@5678:environment:production", aud: AUD }),
      false,
    );
    assert.equal(
      trustAdmits(trust, { sub: "repo:acme@1234/shop@1111:environment:production", aud: AUD }),
      false,
    );
    const preview = trustOf(run, "shop-preview");
    assert.ok(
      trustAdmits(preview, {
        sub: "repo:acme@1234/shop-infra@9012:environment:preview-prod",
        aud: AUD,
      }),
    );
    assert.equal(
      trustAdmits(preview, { sub: "repo:acme@1234/shop@5678:environment:preview-prod", aud: AUD }),
      false,
    );
  });

  it("lets a role on another repository keep that repository's own format", async () => {
    const run = await plan(
      withConfig(shippedStack("prod"), {
        ...immutable,
        "delivery:roles.preview.subjectFormat": "names",
      }),
    );
    const preview = trustOf(run, "shop-preview");
    assert.ok(
      trustAdmits(preview, { sub: "repo:acme/shop-infra:environment:preview-prod", aud: AUD }),
    );
    assert.equal(
      trustAdmits(preview, {
        sub: "repo:acme@1234/shop-infra@9012:environment:preview-prod",
        aud: AUD,
      }),
      false,
    );
    const deploy = trustOf(run);
    assert.ok(
      trustAdmits(deploy, { sub: "repo:acme@1234/shop@5678:environment:production", aud: AUD }),
    );
  });

  it("needs the owner and repository ids for the immutable format", async () => {
    const { problems } = await refusal(
      withConfig(shippedStack("prod"), { "delivery:github.subjectFormat": "immutable" }),
    );
    problemFor(problems, "delivery:github.ownerId");
    problemFor(problems, "delivery:github.repositoryId");
  });

  it("renders every trust policy for a customized claim template, which exactly one stack manages", async () => {
    const claims = { includeClaimKeys: ["repository_owner_id", "repository_id", "context"] };
    const owner = await plan(
      withConfig(shippedStack("staging"), {
        ...immutable,
        "delivery:github.subjectClaims": { ...claims, manage: true },
      }),
    );
    const other = await plan(
      withConfig(shippedStack("prod"), { ...immutable, "delivery:github.subjectClaims": claims }),
    );
    const [template] = ofType(owner, TEMPLATE);
    assert.deepEqual(template.inputs.includeClaimKeys, claims.includeClaimKeys);
    assert.equal(template.inputs.useDefault, false);
    assert.equal(
      ofType(other, TEMPLATE).length,
      0,
      "the other stack does not fight over the template",
    );
    const stagingTrust = trustOf(owner);
    const prodTrust = trustOf(other);
    assert.ok(
      trustAdmits(stagingTrust, {
        sub: "repository_owner_id:1234:repository_id:5678:environment:staging",
        aud: AUD,
      }),
    );
    assert.ok(
      trustAdmits(prodTrust, {
        sub: "repository_owner_id:1234:repository_id:5678:environment:production",
        aud: AUD,
      }),
    );
    assert.equal(
      trustAdmits(prodTrust, {
        sub: "repository_owner_id:1234:repository_id:5678:environment:staging",
        aud: AUD,
      }),
      false,
    );
    assert.equal(
      trustAdmits(stagingTrust, { sub: "repo:acme/shop:environment:staging", aud: AUD }),
      false,
    );
  });

  it("refuses claim templates that drop the repository or do not end with the context", async () => {
    const withClaims = (includeClaimKeys: string[]) =>
      withConfig(shippedStack("staging"), {
        "delivery:github.subjectClaims": { includeClaimKeys },
      });
    await refusedWith(
      withClaims(["context", "repo"]),
      "delivery:github.subjectClaims.includeClaimKeys",
      '"context" must appear once, last',
    );
    await refusedWith(
      withClaims(["context"]),
      "delivery:github.subjectClaims.includeClaimKeys",
      "names no repository",
    );
  });
});
