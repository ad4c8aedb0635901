/**
 * The CrossGuard policy pack, run without the Pulumi CLI: the shipped stacks pass every policy,
 * and a bad variant of a real resource (or a hand-written one) is caught by the policy named, with
 * a message that says how to fix it. Never imports policy/index.ts (it would start a gRPC server).
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { OfflineRun } from "../scripts/offline";
import { PolicyInput, PolicyViolation, formatViolations, runPolicies } from "../policy/run";
import { createPolicies, stageFromProcessEnv, subjectProblem } from "../policy/policies";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { one, withConfig } from "./support";

type Json = Record<string, unknown>;

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SUB = "token.actions.githubusercontent.com:sub";
const AUD = "token.actions.githubusercontent.com:aud";

/** The resources with one of them changed; inputs and (echoed) state both get the change. */
function variant(run: OfflineRun, type: string, name: string, change: (inputs: Json) => Json) {
  const target = one(run, type, name);
  return run.resources.map((r) =>
    r === target ? { ...r, inputs: change({ ...r.inputs }), state: change({ ...r.state }) } : r,
  );
}

/** Replaces the statements of a JSON policy input. */
const withStatements =
  (key: string, edit: (statements: Json[]) => Json[]) =>
  (inputs: Json): Json => {
    const doc = JSON.parse(inputs[key] as string) as { Statement: Json[] };
    return { ...inputs, [key]: JSON.stringify({ ...doc, Statement: edit(doc.Statement) }) };
  };

/** The deploy role's trust policy, with one statement whose conditions are replaced. */
const trust = (condition: Json) =>
  withStatements("assumeRolePolicy", ([first]) => [{ ...first, Condition: condition }]);

/** Edits the containers of a task definition's `containerDefinitions` JSON text. */
const withContainers =
  (edit: (containers: Json[]) => Json[]) =>
  (inputs: Json): Json => ({
    ...inputs,
    containerDefinitions: JSON.stringify(
      edit(JSON.parse(inputs.containerDefinitions as string) as Json[]),
    ),
  });

/** The violations of one policy. */
const of = (violations: readonly PolicyViolation[], policy: string) =>
  violations.filter((v) => v.policy === policy);

/** Asserts `policy` reported at least one violation, each with a fix; returns them. */
function caught(violations: readonly PolicyViolation[], policy: string): PolicyViolation[] {
  const found = of(violations, policy);
  assert.ok(
    found.length > 0,
    `expected ${policy} to be reported; got:\n${formatViolations(violations).join("\n") || "(none)"}`,
  );
  for (const v of found) assert.match(v.message, /Fix: \S/, `${policy} says how to fix it`);
  return found;
}

/** Asserts nothing at all was reported, printing what was. */
function clean(violations: readonly PolicyViolation[], what: string): void {
  assert.deepEqual(formatViolations(violations), [], `${what} should pass every policy`);
}

describe("policy pack", () => {
  let staging: OfflineRun;
  let prod: OfflineRun;
  before(async () => {
    ({ staging, prod } = await shippedPlans());
  });

  it("passes both shipped stacks, mandatory and advisory alike", async () => {
    clean(await runPolicies(staging.resources), "staging");
    clean(await runPolicies(prod.resources), "prod");
  });

  it("passes the immutable and customized subject formats", async () => {
    const immutable = {
      "delivery:github.subjectFormat": "immutable",
      "delivery:github.ownerId": 1234,
      "delivery:github.repositoryId": 5678,
      "delivery:roles.preview.repositoryId": 9012,
    };
    const custom = await plan(
      withConfig(shippedStack("prod"), {
        ...immutable,
        "delivery:github.subjectClaims": {
          includeClaimKeys: ["repository_owner_id", "repository_id", "context"],
        },
      }),
    );
    clean(await runPolicies(custom.resources), "prod with a customized claim template");
    const ids = await plan(withConfig(shippedStack("prod"), immutable));
    clean(await runPolicies(ids.resources), "prod with immutable subjects");
  });

  it("has kebab-case, unique names, a description and a default level for every policy", () => {
    const policies = createPolicies();
    assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) {
      assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(p.description.length > 20, p.name);
      assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
    }
  });

  describe("github-oidc-trust", () => {
    const deployTrustWith = (condition: Json) =>
      variant(prod, ROLE, "shop-deploy", trust(condition));

    it("catches a sub trusting every repository of the owner", async () => {
      const bad = deployTrustWith({
        StringEquals: { [AUD]: "sts.amazonaws.com" },
        StringLike: { [SUB]: "repo:acme/*" },
      });
      const [v] = caught(await runPolicies(bad), "github-oidc-trust");
      assert.match(v.message, /shop-prod-deploy/);
      assert.match(v.message, /repo:acme\/\*/);
      assert.equal(v.enforcementLevel, "mandatory");
      assert.match(v.urn ?? "", /GithubActionsRole\$aws:iam\/role:Role::shop-deploy$/);
    });

    it("catches a trust without a sub condition, and one without aud", async () => {
      const noSub = caught(
        await runPolicies(deployTrustWith({ StringEquals: { [AUD]: "sts.amazonaws.com" } })),
        "github-oidc-trust",
      );
      assert.match(noSub[0].message, /no sub condition/);
      const noAud = caught(
        await runPolicies(
          deployTrustWith({ StringEquals: { [SUB]: "repo:acme/shop:environment:production" } }),
        ),
        "github-oidc-trust",
      );
      assert.match(noAud[0].message, /aud/);
    });

    it("catches a wildcard context and a bare *, also in a trust policy given as an object", async () => {
      for (const sub of ["repo:acme/shop:*", "*", "repo:acme/shop:environment:*"]) {
        const bad = variant(prod, ROLE, "shop-deploy", (inputs) => ({
          ...inputs,
          assumeRolePolicy: {
            Version: "2012-10-17",
            Statement: {
              Effect: "Allow",
              Principal: {
                Federated:
                  "arn:aws:iam::123456789012:oidc-provider/" +
                  "token.actions.githubusercontent.com",
              },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { [AUD]: "sts.amazonaws.com" },
                StringLike: { [SUB]: sub },
              },
            },
          },
        }));
        caught(await runPolicies(bad), "github-oidc-trust");
      }
    });

    it("judges subjects: one literal repository, patterns only inside a branch or tag name", () => {
      for (const ok of [
        "repo:acme/shop:environment:production",
        "repo:acme/shop:ref:refs/tags/backend-v*",
        "repo:acme/shop:ref:refs/tags/*",
        "repo:acme/shop:pull_request",
        "repo:acme@1234/shop@5678:environment:staging",
        "repository_owner_id:1234:repository_id:5678:environment:production",
        "repository:acme/shop:environment:production",
      ]) {
        assert.equal(subjectProblem(ok), undefined, ok);
      }
      for (const bad of [
        "*",
        "repo:*",
        "repo:acme/*",
        "repo:acme/app*:environment:production",
        "repo:*/shop:environment:production",
        "repo:acme/shop",
        "repo:acme/shop:*",
        "repo:acme/shop:ref:*",
        "repository_owner:acme:environment:production",
      ]) {
        assert.match(subjectProblem(bad) ?? "", /Fix: /, bad);
      }
    });

    it("leaves roles alone that do not trust GitHub", async () => {
      const taskRoles = prod.resources.filter(
        (r) => r.type === ROLE && String(r.inputs.name).endsWith("-task"),
      );
      assert.ok(taskRoles.length > 0);
      clean(await runPolicies(taskRoles), "ECS task roles");
    });
  });

  describe("iam-no-wildcard-actions", () => {
    it('catches "*" and "service:*" in a role policy of the plan', async () => {
      const bad = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withStatements("policy", (s) => [
          ...s,
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::shop/*" },
        ]),
      );
      const found = caught(await runPolicies(bad), "iam-no-wildcard-actions");
      assert.equal(found.length, 2);
      assert.ok(found.every((v) => /shop-prod-deploy-ecr/.test(v.message)));
    });

    it("catches a wildcard in a role's inline policy given as an object", async () => {
      const bad = variant(prod, ROLE, "shop-deploy", (inputs) => ({
        ...inputs,
        inlinePolicies: [
          {
            name: "for-now",
            policy: JSON.stringify({
              Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ],
      }));
      const [v] = caught(await runPolicies(bad), "iam-no-wildcard-actions");
      assert.match(v.message, /inline policy "for-now"/);
    });

    it("does not mind a wildcard in a Deny", async () => {
      const fine = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withStatements("policy", (s) => [...s, { Effect: "Deny", Action: "*", Resource: "*" }]),
      );
      assert.deepEqual(of(await runPolicies(fine), "iam-no-wildcard-actions"), []);
    });
  });

  describe("iam-no-admin-managed-policies", () => {
    it("catches AdministratorAccess attached to the deploy role", async () => {
      const attachment: PolicyInput = {
        urn: "urn:pulumi:prod::delivery::aws:iam/rolePolicyAttachment:RolePolicyAttachment::for-now",
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "for-now",
        inputs: {
          role: "shop-prod-deploy",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      };
      const [v] = caught(
        await runPolicies([...prod.resources, attachment]),
        "iam-no-admin-managed-policies",
      );
      assert.equal(v.urn, attachment.urn);
      assert.match(v.message, /AdministratorAccess/);
    });
  });

  describe("iam-passrole-scoped", () => {
    const deployEcs = (edit: (s: Json) => Json) =>
      variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecs",
        withStatements("policy", (s) => s.map((x) => (x.Sid === "PassTaskRoles" ? edit(x) : x))),
      );

    it("catches PassRole on every role", async () => {
      const [v] = caught(
        await runPolicies(deployEcs((s) => ({ ...s, Resource: "*" }))),
        "iam-passrole-scoped",
      );
      assert.match(v.message, /PassTaskRoles/);
      assert.match(v.message, /every role/);
    });

    it("catches PassRole without iam:PassedToService", async () => {
      const [v] = caught(
        await runPolicies(deployEcs(({ Condition: _dropped, ...s }) => s)),
        "iam-passrole-scoped",
      );
      assert.match(v.message, /iam:PassedToService/);
    });
  });

  describe("task definitions", () => {
    it("ecs-no-privileged-containers catches a privileged container", async () => {
      const bad = variant(
        prod,
        TASK_DEFINITION,
        "shop-backend-task-definition",
        withContainers((cs) => cs.map((c) => ({ ...c, privileged: true }))),
      );
      const [v] = caught(await runPolicies(bad), "ecs-no-privileged-containers");
      assert.match(v.message, /container "backend" is privileged/);
    });

    it("ecs-no-secrets-in-environment catches secret-looking names, never echoing the value", async () => {
      const value = "postgres://app:hunter2@db.internal/shop";
      const bad = variant(
        prod,
        TASK_DEFINITION,
        "shop-backend-task-definition",
        withContainers((cs) =>
          cs.map((c) => ({
            ...c,
            environment: [
              ...(c.environment as Json[]),
              { name: "DATABASE_URL", value },
              { name: "STRIPE_SECRET_KEY", value: "sk_live_123" },
              { name: "MONGO_URI", value },
            ],
          })),
        ),
      );
      const found = caught(await runPolicies(bad), "ecs-no-secrets-in-environment");
      assert.deepEqual(
        found.map((v) => /environment variable (\w+)/.exec(v.message)?.[1]),
        ["DATABASE_URL", "STRIPE_SECRET_KEY", "MONGO_URI"],
      );
      for (const v of found) {
        assert.ok(!v.message.includes("hunter2") && !v.message.includes("sk_live"), v.message);
      }
    });

    it("reports containerDefinitions that are a masked secret instead of passing them", async () => {
      const bad = variant(prod, TASK_DEFINITION, "shop-backend-task-definition", (inputs) => ({
        ...inputs,
        containerDefinitions: "[secret]",
      }));
      caught(await runPolicies(bad), "ecs-no-secrets-in-environment");
    });
  });

  describe("cloudwatch-log-retention", () => {
    it("catches a log group that keeps events forever, as advisory by default", async () => {
      const bad = variant(prod, LOG_GROUP, "shop-backend-logs", (inputs) => {
        delete inputs.retentionInDays;
        return inputs;
      });
      const [v] = caught(await runPolicies(bad), "cloudwatch-log-retention");
      assert.equal(v.enforcementLevel, "advisory");
      assert.match(v.message, /\/ecs\/shop-prod-backend/);
    });
  });

  describe("prod ECR repositories", () => {
    const mutable = (inputs: Json): Json => ({ ...inputs, imageTagMutability: "MUTABLE" });

    it("ecr-prod-immutable-tags catches mutable tags in prod, with the stage read from the provider", async () => {
      const [v] = caught(
        await runPolicies(variant(prod, REPOSITORY, "shop-backend", mutable)),
        "ecr-prod-immutable-tags",
      );
      assert.match(v.message, /shop-prod-backend/);
      assert.match(v.message, /stage "prod" from the AWS provider's defaultTags/);
    });

    it("leaves staging's repositories mutable, unless config says the stack is prod", async () => {
      const bad = variant(staging, REPOSITORY, "shop-backend", mutable);
      assert.deepEqual(of(await runPolicies(bad), "ecr-prod-immutable-tags"), []);
      const asProd = await runPolicies(bad, {
        config: { "ecr-prod-immutable-tags": { stage: "prod" } },
      });
      caught(asProd, "ecr-prod-immutable-tags");
    });

    it("holds a repository of unknown stage to the prod rules, and uses the stack's stage when given", async () => {
      const orphan: PolicyInput = {
        urn: "urn:pulumi:dev::delivery::aws:ecr/repository:Repository::hand-written",
        type: REPOSITORY,
        name: "hand-written",
        inputs: { name: "hand-written", imageScanningConfiguration: { scanOnPush: true } },
      };
      const [v] = caught(await runPolicies([orphan]), "ecr-prod-immutable-tags");
      assert.match(v.message, /stage unknown/);
      assert.deepEqual(
        of(await runPolicies([orphan], { stackStage: "staging" }), "ecr-prod-immutable-tags"),
        [],
      );
    });

    it("uses the provider a resource records, when there is more than one", async () => {
      const prodProvider = one(prod, "pulumi:providers:aws", "shop");
      const other: PolicyInput = {
        urn: "urn:pulumi:prod::delivery::pulumi:providers:aws::sandbox",
        type: "pulumi:providers:aws",
        name: "sandbox",
        inputs: { defaultTags: JSON.stringify({ tags: { stage: "sandbox" } }) },
      };
      const repo = (provider: string): PolicyInput => ({
        urn: "urn:pulumi:prod::delivery::aws:ecr/repository:Repository::hand-written",
        type: REPOSITORY,
        name: "hand-written",
        provider,
        inputs: { name: "hand-written", imageScanningConfiguration: { scanOnPush: true } },
      });
      const inSandbox = await runPolicies([prodProvider, other, repo(`${other.urn}::sandbox-id`)]);
      assert.deepEqual(of(inSandbox, "ecr-prod-immutable-tags"), []);
      const inProd = await runPolicies([prodProvider, other, repo(`${prodProvider.urn}::id`)]);
      caught(inProd, "ecr-prod-immutable-tags");
    });

    it("ecr-prod-scan-on-push catches a prod repository without scan on push", async () => {
      const bad = variant(prod, REPOSITORY, "shop-frontend", (inputs) => ({
        ...inputs,
        imageScanningConfiguration: { scanOnPush: false },
      }));
      const [v] = caught(await runPolicies(bad), "ecr-prod-scan-on-push");
      assert.match(v.message, /shop-prod-frontend/);
    });

    it("ecr-prod-lifecycle-policy catches a prod repository without a lifecycle policy", async () => {
      const lifecycle = one(prod, LIFECYCLE, "shop-backend-lifecycle");
      const bad = prod.resources.filter((r) => r !== lifecycle);
      const [v] = caught(await runPolicies(bad), "ecr-prod-lifecycle-policy");
      assert.equal(v.urn, one(prod, REPOSITORY, "shop-backend").urn);
      assert.equal(v.enforcementLevel, "advisory");
      assert.equal(of(await runPolicies(bad), "ecr-prod-lifecycle-policy").length, 1);
    });
  });

  describe("enforcement levels", () => {
    const noRetention = () =>
      variant(prod, LOG_GROUP, "shop-backend-logs", (inputs) => ({
        ...inputs,
        retentionInDays: 0,
      }));

    it("follow a policy config: per policy, all, disabled", async () => {
      const perPolicy = await runPolicies(noRetention(), {
        config: { "cloudwatch-log-retention": "mandatory" },
      });
      assert.equal(caught(perPolicy, "cloudwatch-log-retention")[0].enforcementLevel, "mandatory");
      const objectForm = await runPolicies(noRetention(), {
        config: { all: "advisory", "cloudwatch-log-retention": { enforcementLevel: "mandatory" } },
      });
      assert.equal(caught(objectForm, "cloudwatch-log-retention")[0].enforcementLevel, "mandatory");
      const bad = variant(prod, REPOSITORY, "shop-backend", (i) => ({
        ...i,
        imageTagMutability: "MUTABLE",
      }));
      const all = await runPolicies(bad, { config: { all: "advisory" } });
      assert.equal(caught(all, "ecr-prod-immutable-tags")[0].enforcementLevel, "advisory");
      const disabled = await runPolicies(noRetention(), {
        config: { "cloudwatch-log-retention": "disabled" },
      });
      assert.deepEqual(of(disabled, "cloudwatch-log-retention"), []);
    });

    it("refuses unknown policy names and levels, and accepts the example config file", async () => {
      await assert.rejects(
        runPolicies(prod.resources, { config: { "log-retention": "mandatory" } }),
        /not a policy of this pack/,
      );
      await assert.rejects(
        runPolicies(prod.resources, { config: { all: "strict" as never } }),
        /not an enforcement level/,
      );
      const example = JSON.parse(
        readFileSync(path.join(__dirname, "..", "policy", "config.example.json"), "utf8"),
      ) as Record<string, never>;
      clean(await runPolicies(prod.resources, { config: example }), "prod with the example config");
    });
  });

  it("reads the stack's stage the way the CLI passes it to the pack", () => {
    assert.equal(
      stageFromProcessEnv({ PULUMI_CONFIG: JSON.stringify({ "delivery:stage": "prod" }) }),
      "prod",
    );
    assert.equal(stageFromProcessEnv({ PULUMI_NODEJS_STACK: "staging" }), "staging");
    assert.equal(stageFromProcessEnv({}), undefined);
  });
});
