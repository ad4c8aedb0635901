/**
 * The CrossGuard policy pack, run without the Pulumi CLI: the shipped stacks (and variants the
 * config accepts) pass every policy, and a bad variant of a real resource (or a hand-written one)
 * is caught by the policy named, with a message that says how to fix it. The pack learns the
 * stage and config from the stack, as the CLI tells it (`stackStage`, `stackConfig`), never from
 * tags. Never imports policy/index.ts (it would start a gRPC server).
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { OfflineRun } from "../scripts/offline";
import {
  PolicyInput,
  PolicyViolation,
  RunPoliciesOptions,
  formatViolations,
  runPolicies,
} from "../policy/run";
import {
  configFromProcessEnv,
  createPolicies,
  stageFromProcessEnv,
  subjectProblem,
} from "../policy/policies";
import { generatedStackConfig } from "../scripts/generated";
import { ConfigInput } from "../stacks/load";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { FALLBACK_ON, ofType, one, withConfig } from "./support";
import { PROJECT_DIR } from "../stacks/stackFiles";

type Json = Record<string, unknown>;

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const MANAGED_POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const CLUSTER = "aws:ecs/cluster:Cluster";
const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
const AWS_PROVIDER = "pulumi:providers:aws";
const SUB = "token.actions.githubusercontent.com:sub";
const AUD = "token.actions.githubusercontent.com:aud";
const GITHUB_PROVIDER_ARN =
  "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const WAIVER = "a team of one: the owner deploys alone until a second person joins";

/** The resources with one of them changed; inputs and (echoed) state both get the change. */
function variant(
  from: OfflineRun | readonly PolicyInput[],
  type: string,
  name: string,
  change: (inputs: Json) => Json,
): PolicyInput[] {
  const resources = "resources" in from ? from.resources : from;
  const targets = resources.filter((r) => r.type === type && r.name === name);
  assert.equal(targets.length, 1, `one ${type} named ${name}`);
  return resources.map((r) =>
    r === targets[0] ? { ...r, inputs: change({ ...r.inputs }), state: change({ ...r.state }) } : r,
  );
}

/** A hand-written resource of a stack. */
const handWritten = (type: string, name: string, inputs: Json, stack = "prod"): PolicyInput => ({
  urn: `urn:pulumi:${stack}::delivery::${type}::${name}`,
  type,
  name,
  inputs,
});

/** A policy document as JSON text. */
const doc = (...Statement: Json[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** Replaces the statements of a JSON policy input. */
const withStatements =
  (key: string, edit: (statements: Json[]) => Json[]) =>
  (inputs: Json): Json => {
    const parsed = JSON.parse(inputs[key] as string) as { Statement: Json[] };
    return { ...inputs, [key]: JSON.stringify({ ...parsed, Statement: edit(parsed.Statement) }) };
  };

/** A policy document input with these statements added to its own. */
const withAddedStatements = (key: string, ...added: Json[]) =>
  withStatements(key, (statements) => [...statements, ...added]);

/** The deploy role's trust policy, with one statement whose conditions are replaced. */
const trust = (condition: Json) =>
  withStatements("assumeRolePolicy", ([first]) => [{ ...first, Condition: condition }]);

/** A trust that admits exactly these subjects from GitHub (StringLike, as patterns need). */
const trusting = (...subs: string[]) =>
  trust({ StringEquals: { [AUD]: "sts.amazonaws.com" }, StringLike: { [SUB]: subs } });

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

/** Asserts `policy` reported nothing. */
function spared(violations: readonly PolicyViolation[], policy: string): void {
  assert.deepEqual(formatViolations(of(violations, policy)), [], `${policy} should not report`);
}

/** Asserts nothing at all was reported, printing what was. */
function clean(violations: readonly PolicyViolation[], what: string): void {
  assert.deepEqual(formatViolations(violations), [], `${what} should pass every policy`);
}

/** What the CLI tells the pack about a stack: its stage and its config. */
const asStack = (input: ConfigInput, stage = input.stack): RunPoliciesOptions => ({
  stackStage: stage,
  stackConfig: input.values,
});

/** Plans a config and runs the pack over it the way the CLI would for that stack. */
async function planAndCheck(input: ConfigInput): Promise<PolicyViolation[]> {
  const run = await plan(input);
  return runPolicies(run.resources, asStack(input, run.stage.name));
}

describe("policy pack", () => {
  let staging: OfflineRun;
  let prod: OfflineRun;
  let asStaging: RunPoliciesOptions;
  let asProd: RunPoliciesOptions;
  before(async () => {
    ({ staging, prod } = await shippedPlans());
    asStaging = asStack(shippedStack("staging"));
    asProd = asStack(shippedStack("prod"));
  });

  it("passes both shipped stacks, mandatory and advisory alike", async () => {
    clean(await runPolicies(staging.resources, asStaging), "staging");
    clean(await runPolicies(prod.resources, asProd), "prod");
  });

  it("passes variants the config accepts: break-glass keys, managed policies, a read-only role for pull requests", async () => {
    clean(
      await planAndCheck(withConfig(shippedStack("staging"), { "delivery:fallback": FALLBACK_ON })),
      "staging with the break-glass fallback",
    );
    // Enough services that the grants move into customer-managed policies, attached to the
    // roles: the stack policies resolve them, and the preview role's stay read-only.
    const config = generatedStackConfig(30, {
      "delivery:roles": {
        preview: {
          repository: "shop-infra",
          subjects: ["pull_request"],
          grants: { previewReadOnly: true },
        },
      },
    });
    const input: ConfigInput = {
      stack: "staging",
      values: Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      ),
      secretKeys: new Set(),
    };
    const run = await plan(input);
    const attached = ofType(run, ATTACHMENT).map((a) => a.inputs.role);
    assert.ok(attached.includes("shop-staging-preview"), "the preview role has managed policies");
    assert.ok(attached.includes("shop-staging-deploy"), "the deploy role has managed policies");
    clean(
      await runPolicies(run.resources, asStack(input)),
      "30 services, previews on pull requests",
    );
  });

  it("passes the immutable and customized subject formats, tying repository ids to the stack config", async () => {
    const immutable = {
      "delivery:github.subjectFormat": "immutable",
      "delivery:github.ownerId": 1234,
      "delivery:github.repositoryId": 5678,
      "delivery:roles.preview.repositoryId": 9012,
    };
    const customInput = withConfig(shippedStack("prod"), {
      ...immutable,
      "delivery:github.subjectClaims": {
        includeClaimKeys: ["repository_owner_id", "repository_id", "context"],
      },
    });
    const custom = await plan(customInput);
    clean(
      await runPolicies(custom.resources, asStack(customInput)),
      "prod with a customized claim template",
    );
    clean(
      await planAndCheck(withConfig(shippedStack("prod"), immutable)),
      "prod, immutable subjects",
    );
    // Without the config, nothing ties repository_id:5678 to the environment: fail closed.
    const [v] = caught(
      await runPolicies(custom.resources, { stackStage: "prod" }),
      "github-prod-reviewed",
    );
    assert.match(v.message, /only by id \(5678\).*delivery:github\.repositoryId/);
    // Ids of another repository never match the stack's environment.
    const otherRepository = JSON.stringify({
      ...(JSON.parse(customInput.values["delivery:github"]) as Json),
      repositoryId: 9999,
    });
    const [other] = caught(
      await runPolicies(custom.resources, {
        ...asStack(customInput),
        stackConfig: { ...customInput.values, "delivery:github": otherRepository },
      }),
      "github-prod-reviewed",
    );
    assert.match(other.message, /the repository with id 5678/);
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

  it("lists every policy, with its default level, in policy/README.md", () => {
    const readme = readFileSync(path.join(PROJECT_DIR, "policy", "README.md"), "utf8");
    for (const p of createPolicies()) {
      assert.match(
        readme,
        new RegExp(`\\| \`${p.name}\`\\s*\\| ${p.enforcementLevel}\\s*\\|`),
        `${p.name} (${p.enforcementLevel}) in the README's table`,
      );
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
      const [v] = caught(await runPolicies(bad, asProd), "github-oidc-trust");
      assert.match(v.message, /shop-prod-deploy/);
      assert.match(v.message, /repo:acme\/\*/);
      assert.equal(v.enforcementLevel, "mandatory");
      assert.match(v.urn ?? "", /GithubActionsRole\$aws:iam\/role:Role::shop-deploy$/);
    });

    it("catches a trust without a sub condition, and one without aud", async () => {
      const noSub = caught(
        await runPolicies(
          deployTrustWith({ StringEquals: { [AUD]: "sts.amazonaws.com" } }),
          asProd,
        ),
        "github-oidc-trust",
      );
      assert.match(noSub[0].message, /no sub condition/);
      const noAud = caught(
        await runPolicies(
          deployTrustWith({ StringEquals: { [SUB]: "repo:acme/shop:environment:production" } }),
          asProd,
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
              Principal: { Federated: GITHUB_PROVIDER_ARN },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { [AUD]: "sts.amazonaws.com" },
                StringLike: { [SUB]: sub },
              },
            },
          },
        }));
        caught(await runPolicies(bad, asProd), "github-oidc-trust");
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
      clean(await runPolicies(taskRoles, asProd), "ECS task roles");
    });
  });

  describe("github-oidc-one-provider", () => {
    it("catches a second OIDC provider for GitHub in the stack", async () => {
      const first = one(staging, OIDC_PROVIDER, "shop-oidc");
      const second = handWritten(OIDC_PROVIDER, "github-again", { ...first.inputs }, "staging");
      const [v] = caught(
        await runPolicies([...staging.resources, second], asStaging),
        "github-oidc-one-provider",
      );
      assert.equal(v.urn, second.urn);
      assert.match(v.message, /second provider for GitHub Actions/);
      // One for an enterprise's own issuer is a second GitHub provider too.
      const enterprise = handWritten(
        OIDC_PROVIDER,
        "github-enterprise",
        { ...first.inputs, url: "https://token.actions.githubusercontent.com/acme-corp" },
        "staging",
      );
      caught(
        await runPolicies([...staging.resources, enterprise], asStaging),
        "github-oidc-one-provider",
      );
    });

    it("catches a role that trusts another OIDC provider, or a look-alike issuer, next to GitHub's", async () => {
      for (const other of [
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.example.net",
        "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com",
      ]) {
        const bad = variant(
          prod,
          ROLE,
          "shop-deploy",
          withStatements("assumeRolePolicy", (s) => [
            ...s,
            { ...s[0], Sid: "Second", Principal: { Federated: other } },
          ]),
        );
        const [v] = caught(await runPolicies(bad, asProd), "github-oidc-one-provider");
        assert.match(v.message, /role "shop-prod-deploy"/, other);
        assert.equal(v.urn, one(prod, ROLE, "shop-deploy").urn);
      }
    });
  });

  describe("iam-no-wildcard-principals", () => {
    it('catches Principal "*" and { AWS: "*" } in a trust policy', async () => {
      for (const principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::*:root"] }]) {
        const bad = variant(
          prod,
          ROLE,
          "shop-backend-task",
          withAddedStatements("assumeRolePolicy", {
            Effect: "Allow",
            Principal: principal,
            Action: "sts:AssumeRole",
          }),
        );
        const [v] = caught(await runPolicies(bad, asProd), "iam-no-wildcard-principals");
        assert.match(v.message, /shop-prod-backend-task/);
      }
    });

    it("catches everyone in the resource policies a stack writes: topics, repositories, secrets, keys", async () => {
      const everyone = (Principal: unknown, Action: string) =>
        doc({ Effect: "Allow", Principal, Action, Resource: "*" });
      const resources = [
        handWritten("aws:sns/topicPolicy:TopicPolicy", "alarm", {
          arn: "arn:aws:sns:eu-west-1:123456789012:shop-prod-alarm",
          policy: everyone({ AWS: "*" }, "sns:Publish"),
        }),
        handWritten("aws:ecr/repositoryPolicy:RepositoryPolicy", "backend", {
          repository: "shop-prod-backend",
          policy: everyone("*", "ecr:BatchGetImage"),
        }),
        handWritten("aws:secretsmanager/secretPolicy:SecretPolicy", "jwt", {
          secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/jwt-secret",
          policy: everyone({ AWS: ["arn:aws:iam::*:root"] }, "secretsmanager:GetSecretValue"),
        }),
        handWritten("aws:kms/key:Key", "secrets", {
          policy: everyone({ AWS: "*" }, "kms:Decrypt"),
        }),
      ];
      const found = caught(
        await runPolicies([...prod.resources, ...resources], asProd),
        "iam-no-wildcard-principals",
      );
      assert.deepEqual(
        found.map((v) => v.urn),
        resources.map((r) => r.urn),
      );
    });

    it("lets service principals with a source condition through (the break-glass topic's policy)", async () => {
      const run = await plan(
        withConfig(shippedStack("staging"), { "delivery:fallback": FALLBACK_ON }),
      );
      assert.ok(ofType(run, "aws:sns/topicPolicy:TopicPolicy").length === 1);
      spared(await runPolicies(run.resources, asStaging), "iam-no-wildcard-principals");
    });
  });

  describe("iam-no-wildcard-actions", () => {
    it('catches "*" and "service:*" in a role policy of the plan', async () => {
      const bad = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withAddedStatements(
          "policy",
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::shop/*" },
        ),
      );
      const found = caught(await runPolicies(bad, asProd), "iam-no-wildcard-actions");
      assert.equal(found.length, 2);
      assert.ok(found.every((v) => /shop-prod-deploy-ecr/.test(v.message)));
    });

    it("catches write-capable action patterns, and not read-only Describe*/List* ones", async () => {
      for (const action of ["iam:Create*", "iam:*Policy*", "s3:Put*", "secretsmanager:Get*"]) {
        const bad = variant(
          prod,
          ROLE_POLICY,
          "shop-deploy-ecr",
          withAddedStatements("policy", {
            Effect: "Allow",
            Action: action,
            Resource: "arn:aws:s3:::shop-assets",
          }),
        );
        const [v] = caught(await runPolicies(bad, asProd), "iam-no-wildcard-actions");
        assert.ok(v.message.includes(`"${action}"`), v.message);
      }
      const fine = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withAddedStatements("policy", {
          Effect: "Allow",
          Action: ["ec2:Describe*", "ecs:List*"],
          Resource: "*",
        }),
      );
      spared(await runPolicies(fine, asProd), "iam-no-wildcard-actions");
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
      const [v] = caught(await runPolicies(bad, asProd), "iam-no-wildcard-actions");
      assert.match(v.message, /inline policy "for-now"/);
    });

    it("does not mind a wildcard in a Deny", async () => {
      const fine = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withStatements("policy", (s) => [...s, { Effect: "Deny", Action: "*", Resource: "*" }]),
      );
      spared(await runPolicies(fine, asProd), "iam-no-wildcard-actions");
    });
  });

  describe("iam-no-admin-managed-policies", () => {
    it("catches AdministratorAccess attached to the deploy role", async () => {
      const attachment = handWritten(ATTACHMENT, "for-now", {
        role: "shop-prod-deploy",
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      });
      const [v] = caught(
        await runPolicies([...prod.resources, attachment], asProd),
        "iam-no-admin-managed-policies",
      );
      assert.equal(v.urn, attachment.urn);
      assert.match(v.message, /AdministratorAccess/);
    });

    it("catches admin-class AWS-managed policies by lib/adminPolicies.ts, however they are attached", async () => {
      const exclusive = handWritten(
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        "deploy-policies",
        {
          roleName: "shop-prod-deploy",
          policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk"],
        },
      );
      const [v] = caught(
        await runPolicies([...prod.resources, exclusive], asProd),
        "iam-no-admin-managed-policies",
      );
      assert.match(v.message, /passes any role to EC2 and ECS/);
      const onRole = variant(prod, ROLE, "shop-publish", (inputs) => ({
        ...inputs,
        managedPolicyArns: ["arn:aws:iam::aws:policy/IAMFullAccess"],
      }));
      caught(await runPolicies(onRole, asProd), "iam-no-admin-managed-policies");
    });
  });

  describe("iam-no-admin-grants", () => {
    it("catches admin by another name: iam:*, policy-granting IAM actions, sts:AssumeRole or NotAction on every resource", async () => {
      const cases: [Json, RegExp][] = [
        [{ Effect: "Allow", Action: "iam:*", Resource: "*" }, /iam:AttachRolePolicy/],
        [
          {
            Effect: "Allow",
            Action: ["iam:PutRolePolicy"],
            Resource: "arn:aws:iam::123456789012:role/*",
          },
          /iam:PutRolePolicy on every resource/,
        ],
        [
          { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
          /sts:AssumeRole on every role/,
        ],
        [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }, /every action but a few/],
        [{ Effect: "Allow", Action: "*", Resource: "*" }, /every action on every resource/],
      ];
      for (const [statement, message] of cases) {
        const managed = handWritten(MANAGED_POLICY, "ci-admin", {
          name: "ci-admin",
          policy: doc(statement),
        });
        const [v] = caught(
          await runPolicies([...prod.resources, managed], asProd),
          "iam-no-admin-grants",
        );
        assert.match(v.message, message);
        assert.equal(v.urn, managed.urn);
      }
      const inline = variant(prod, ROLE, "shop-deploy", (inputs) => ({
        ...inputs,
        inlinePolicies: [
          {
            name: "assume-anything",
            policy: doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }),
          },
        ],
      }));
      caught(await runPolicies(inline, asProd), "iam-no-admin-grants");
    });

    it("does not mind the same actions on exact resources", async () => {
      const fine = variant(
        prod,
        ROLE_POLICY,
        "shop-deploy-ecr",
        withAddedStatements("policy", {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: "arn:aws:iam::123456789012:role/shop-prod-migrations",
        }),
      );
      spared(await runPolicies(fine, asProd), "iam-no-admin-grants");
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

    it("catches PassRole on every role, every role under a path, or another account's", async () => {
      for (const resource of [
        "*",
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:iam::123456789012:role/service-role/*",
        "arn:aws:iam::*:role/shop-prod-backend-task",
      ]) {
        const [v] = caught(
          await runPolicies(
            deployEcs((s) => ({ ...s, Resource: resource })),
            asProd,
          ),
          "iam-passrole-scoped",
        );
        assert.match(v.message, /PassTaskRoles/);
        assert.match(v.message, /every role|every AWS account/);
      }
    });

    it("catches PassRole without iam:PassedToService", async () => {
      const [v] = caught(
        await runPolicies(
          deployEcs(({ Condition: _dropped, ...s }) => s),
          asProd,
        ),
        "iam-passrole-scoped",
      );
      assert.match(v.message, /iam:PassedToService/);
    });
  });

  describe("iam-sensitive-actions-scoped", () => {
    const withAddedStatements = (name: string, sid: string, edit: (s: Json) => Json) =>
      variant(
        prod,
        ROLE_POLICY,
        name,
        withStatements("policy", (s) => s.map((x) => (x.Sid === sid ? edit(x) : x))),
      );

    it("catches RegisterTaskDefinition on every family, or on a family pattern", async () => {
      for (const resource of [
        "*",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/*",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/*:*",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-*:*",
      ]) {
        const bad = withAddedStatements("shop-deploy-ecs", "EcsRegisterTaskDefinitions", (s) => ({
          ...s,
          Resource: resource,
        }));
        const [v] = caught(await runPolicies(bad, asProd), "iam-sensitive-actions-scoped");
        assert.match(v.message, /ecs:RegisterTaskDefinition on/);
        assert.match(v.message, /task-definition\/<family>:\*/);
      }
    });

    it("catches UpdateService on every service of a cluster, PutImage on every repository, GetSecretValue on every secret", async () => {
      const on = (Resource: string) => (s: Json) => ({ ...s, Resource });
      const cases: [string, string, (s: Json) => Json, RegExp][] = [
        [
          "shop-deploy-ecs",
          "EcsDeployService1",
          on("arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/*"),
          /ecs:UpdateService/,
        ],
        [
          "shop-deploy-ecr",
          "EcrPushPull",
          on("arn:aws:ecr:eu-west-1:123456789012:repository/*"),
          /ecr:PutImage/,
        ],
        [
          "shop-backend-execution",
          "ReadSecrets",
          on("arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"),
          /secretsmanager:GetSecretValue/,
        ],
        [
          "shop-backend-execution",
          "ReadSecrets",
          (s) => ({ ...on("*")(s), Action: "secretsmanager:Get*" }),
          /secretsmanager:GetSecretValue/,
        ],
        [
          "shop-backend-execution",
          "ReadSecrets",
          ({ Resource: _all, ...s }) => ({
            ...s,
            NotResource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other",
          }),
          /NotResource/,
        ],
      ];
      for (const [name, sid, edit, message] of cases) {
        const bad = withAddedStatements(name, sid, edit);
        const [v] = caught(await runPolicies(bad, asProd), "iam-sensitive-actions-scoped");
        assert.match(v.message, message);
      }
    });
  });

  describe("github-exposed-roles-read-only", () => {
    it("catches a role that writes, in any stage, that every pull request, branch or tag can assume", async () => {
      for (const sub of [
        "repo:acme/shop:pull_request",
        "repo:acme/shop:ref:refs/heads/*",
        "repo:acme/shop:ref:refs/tags/*",
      ]) {
        const bad = variant(staging, ROLE, "shop-deploy", trusting(sub));
        const [v] = caught(await runPolicies(bad, asStaging), "github-exposed-roles-read-only");
        assert.match(v.message, /role "shop-staging-deploy" may change something/);
        assert.match(v.message, /ecr:PutImage/);
        assert.equal(v.urn, one(staging, ROLE, "shop-deploy").urn);
      }
    });

    it("lets a read-only role trust pull requests, but counts an action it does not know as a write", async () => {
      const readOnly = variant(
        staging,
        ROLE,
        "shop-preview",
        trusting("repo:acme/shop-infra:pull_request"),
      );
      spared(await runPolicies(readOnly, asStaging), "github-exposed-roles-read-only");
      const unknown = variant(
        readOnly,
        ROLE_POLICY,
        "shop-preview-readonly",
        withAddedStatements("policy", {
          Effect: "Allow",
          Action: "ec2:DescribeInstances",
          Resource: "*",
        }),
      );
      const [v] = caught(await runPolicies(unknown, asStaging), "github-exposed-roles-read-only");
      assert.match(v.message, /ec2:DescribeInstances/);
    });

    it("resolves attached policies within the stack, and counts one it cannot see as a write", async () => {
      const readOnly = variant(
        staging,
        ROLE,
        "shop-preview",
        trusting("repo:acme/shop-infra:pull_request"),
      );
      const policy = handWritten(
        MANAGED_POLICY,
        "preview-extra",
        {
          name: "shop-staging-preview-extra",
          policy: doc({
            Effect: "Allow",
            Action: "ecs:UpdateService",
            Resource:
              "arn:aws:ecs:eu-west-1:123456789012:service/shop-staging/shop-staging-backend",
          }),
        },
        "staging",
      );
      const withArn = {
        ...policy,
        state: { arn: "arn:aws:iam::123456789012:policy/shop-staging-preview-extra" },
      };
      const attach = (policyArn: string) =>
        handWritten(
          ATTACHMENT,
          `preview-${policyArn.length}`,
          { role: "shop-staging-preview", policyArn },
          "staging",
        );
      const own = caught(
        await runPolicies([...readOnly, withArn, attach(withArn.state.arn)], asStaging),
        "github-exposed-roles-read-only",
      );
      assert.match(own[0].message, /ecs:UpdateService/);
      const unseen = caught(
        await runPolicies(
          [...readOnly, attach("arn:aws:iam::aws:policy/ReadOnlyAccess")],
          asStaging,
        ),
        "github-exposed-roles-read-only",
      );
      assert.match(unseen[0].message, /ReadOnlyAccess, whose grants this stack does not show/);
    });

    it("catches a write role behind an environment every ref may use with nobody reviewing", async () => {
      const bad = variant(staging, ENVIRONMENT, "shop-github", (inputs) => {
        delete inputs.deploymentBranchPolicy;
        return inputs;
      });
      const [v] = caught(await runPolicies(bad, asStaging), "github-exposed-roles-read-only");
      assert.match(v.message, /environment staging.*no deployment branch policy.*nobody reviews/);
    });
  });

  describe("github-prod-reviewed", () => {
    const caughtInProd = async (resources: readonly PolicyInput[], options = asProd) =>
      caught(await runPolicies(resources, options), "github-prod-reviewed");

    it("catches a prod write role that a job on a tag, a branch or a pull request can assume without the environment", async () => {
      for (const sub of [
        "repo:acme/shop:ref:refs/tags/backend-v*",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/shop:pull_request",
      ]) {
        const [v] = await caughtInProd(variant(prod, ROLE, "shop-deploy", trusting(sub)));
        assert.match(v.message, /role "shop-prod-deploy" \(stage "prod" from the stack\)/);
        assert.match(v.message, /no reviewer sees it/);
        assert.ok(v.message.includes(sub), v.message);
      }
    });

    it("catches an environment this stack does not declare, or one on another repository", async () => {
      for (const sub of [
        "repo:acme/shop:environment:prod-hotfix",
        "repo:acme/shop-infra:environment:production",
      ]) {
        const [v] = await caughtInProd(variant(prod, ROLE, "shop-publish", trusting(sub)));
        assert.match(v.message, /shop-prod-publish.*secretsmanager:GetSecretValue/);
        assert.match(v.message, /GitHub creates it, unprotected/);
      }
    });

    it("catches the production environment without a reviewer, with self-review, or with admin bypass", async () => {
      const cases: [Json, RegExp][] = [
        [{ reviewers: [] }, /no required reviewer/],
        [{ reviewers: [{ users: [], teams: [] }] }, /no required reviewer/],
        [{ preventSelfReview: false }, /preventSelfReview/],
        [{ canAdminsBypass: true }, /lets admins bypass/],
        [{ canAdminsBypass: undefined }, /lets admins bypass/],
        [{ deploymentBranchPolicy: undefined }, /every branch may deploy/],
      ];
      for (const [change, message] of cases) {
        const bad = variant(prod, ENVIRONMENT, "shop-github", (inputs) => ({
          ...inputs,
          ...change,
        }));
        const found = await caughtInProd(bad);
        assert.deepEqual(
          found.map((v) => /role "([^"]+)"/.exec(v.message)?.[1]).sort(),
          ["shop-prod-deploy", "shop-prod-publish"],
          JSON.stringify(change),
        );
        for (const v of found) assert.match(v.message, message);
      }
      const everyTag = variant(
        prod,
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        "shop-github-tag-backend-v*",
        (inputs) => ({ ...inputs, tagPattern: "*" }),
      );
      const [v] = await caughtInProd(everyTag);
      assert.match(v.message, /the deploy pattern "\*", which matches every branch or tag/);
    });

    it("holds a hand-written role to it too, with its grants in a separate role policy", async () => {
      const role = handWritten(ROLE, "hotfix", {
        name: "shop-prod-hotfix",
        assumeRolePolicy: doc({
          Effect: "Allow",
          Principal: { Federated: GITHUB_PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [AUD]: "sts.amazonaws.com",
              [SUB]: "repo:acme/shop:ref:refs/heads/hotfix",
            },
          },
        }),
      });
      const grants = handWritten(ROLE_POLICY, "hotfix-deploy", {
        role: "shop-prod-hotfix",
        policy: doc({
          Effect: "Allow",
          Action: "ecs:UpdateService",
          Resource: "arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-backend",
        }),
      });
      const [v] = await caughtInProd([...prod.resources, role, grants]);
      assert.equal(v.urn, role.urn);
      spared(await runPolicies([...prod.resources, role], asProd), "github-prod-reviewed");
    });

    it("lets the stack's waiver (a reason of 20 characters or more) turn it off, and not a shorter one", async () => {
      const bad = variant(prod, ENVIRONMENT, "shop-github", (inputs) => ({
        ...inputs,
        reviewers: [],
      }));
      const waived = (reason: string): RunPoliciesOptions => ({
        ...asProd,
        stackConfig: {
          ...asProd.stackConfig,
          "delivery:waivers": JSON.stringify({ prodWithoutReview: reason }),
        },
      });
      spared(await runPolicies(bad, waived(WAIVER)), "github-prod-reviewed");
      await caughtInProd(bad, waived("ok"));
      // The waiver is the program's own: a waived plan passes the pack too.
      clean(
        await planAndCheck(
          withConfig(shippedStack("prod"), {
            "delivery:github.protection.reviewers": { users: [], teams: [] },
            "delivery:waivers": { prodWithoutReview: WAIVER },
          }),
        ),
        "prod without reviewers, waived",
      );
    });

    it("applies to prod only", async () => {
      const bad = variant(
        staging,
        ROLE,
        "shop-deploy",
        trusting("repo:acme/shop:ref:refs/heads/main"),
      );
      spared(await runPolicies(bad, asStaging), "github-prod-reviewed");
      await caughtInProd(bad, { ...asStaging, stackStage: "prod" });
    });
  });

  describe("task definitions", () => {
    const backend = (edit: (c: Json) => Json) =>
      variant(
        prod,
        TASK_DEFINITION,
        "shop-backend-task-definition",
        withContainers((cs) => cs.map(edit)),
      );

    it("ecs-no-privileged-containers catches a privileged container", async () => {
      const [v] = caught(
        await runPolicies(
          backend((c) => ({ ...c, privileged: true })),
          asProd,
        ),
        "ecs-no-privileged-containers",
      );
      assert.match(v.message, /container "backend" is privileged/);
    });

    it("ecs-no-added-capabilities catches any added Linux capability", async () => {
      const [v] = caught(
        await runPolicies(
          backend((c) => ({ ...c, linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } } })),
          asProd,
        ),
        "ecs-no-added-capabilities",
      );
      assert.match(v.message, /container "backend" adds the Linux capabilities SYS_PTRACE/);
      spared(
        await runPolicies(
          backend((c) => ({ ...c, linuxParameters: { capabilities: { drop: ["ALL"] } } })),
          asProd,
        ),
        "ecs-no-added-capabilities",
      );
    });

    it("ecs-container-logging catches a container without a log configuration", async () => {
      for (const logConfiguration of [undefined, {}, { options: { "awslogs-group": "x" } }]) {
        const [v] = caught(
          await runPolicies(
            backend((c) => ({ ...c, logConfiguration })),
            asProd,
          ),
          "ecs-container-logging",
        );
        assert.match(v.message, /container "backend" has no logConfiguration/);
      }
    });

    it("ecs-no-secrets-in-environment catches secret-looking names, never echoing the value", async () => {
      const value = "postgres://app:hunter2@db.internal/shop";
      const bad = backend((c) => ({
        ...c,
        environment: [
          ...(c.environment as Json[]),
          { name: "DATABASE_URL", value },
          { name: "STRIPE_SECRET_KEY", value: "sk_live_123" },
          { name: "MONGO_URI", value },
        ],
      }));
      const found = caught(await runPolicies(bad, asProd), "ecs-no-secrets-in-environment");
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
      const violations = await runPolicies(bad, asProd);
      for (const policy of [
        "ecs-no-secrets-in-environment",
        "ecs-no-privileged-containers",
        "ecs-no-added-capabilities",
        "ecs-container-logging",
      ]) {
        caught(violations, policy);
      }
    });
  });

  describe("ECS services and clusters", () => {
    const publicIp = (run: OfflineRun) =>
      variant(run, SERVICE, "shop-backend-service", (inputs) => ({
        ...inputs,
        networkConfiguration: { ...(inputs.networkConfiguration as Json), assignPublicIp: true },
      }));

    it("a public IP is mandatory-refused in prod and advised against in staging", async () => {
      const inProd = await runPolicies(publicIp(prod), asProd);
      const [v] = caught(inProd, "ecs-prod-no-public-ip");
      assert.equal(v.enforcementLevel, "mandatory");
      assert.match(v.message, /shop-prod-backend/);
      spared(inProd, "ecs-staging-no-public-ip");
      const inStaging = await runPolicies(publicIp(staging), asStaging);
      assert.equal(caught(inStaging, "ecs-staging-no-public-ip")[0].enforcementLevel, "advisory");
      spared(inStaging, "ecs-prod-no-public-ip");
    });

    it("ecs-service-circuit-breaker catches a service without a breaker, or without rollback", async () => {
      for (const deploymentCircuitBreaker of [undefined, { enable: true, rollback: false }]) {
        const bad = variant(staging, SERVICE, "shop-frontend-service", (inputs) => ({
          ...inputs,
          deploymentCircuitBreaker,
        }));
        const [v] = caught(await runPolicies(bad, asStaging), "ecs-service-circuit-breaker");
        assert.match(v.message, /shop-staging-frontend/);
      }
    });

    it("ecs-cluster-container-insights advises against a cluster without Container Insights", async () => {
      for (const settings of [undefined, [{ name: "containerInsights", value: "disabled" }]]) {
        const bad = variant(staging, CLUSTER, "shop-cluster", (inputs) => ({
          ...inputs,
          settings,
        }));
        const [v] = caught(await runPolicies(bad, asStaging), "ecs-cluster-container-insights");
        assert.equal(v.enforcementLevel, "advisory");
      }
    });
  });

  describe("cloudwatch-log-retention", () => {
    it("catches a log group that keeps events forever, as advisory by default", async () => {
      const bad = variant(prod, LOG_GROUP, "shop-backend-logs", (inputs) => {
        delete inputs.retentionInDays;
        return inputs;
      });
      const [v] = caught(await runPolicies(bad, asProd), "cloudwatch-log-retention");
      assert.equal(v.enforcementLevel, "advisory");
      assert.match(v.message, /\/ecs\/shop-prod-backend/);
    });
  });

  describe("prod data", () => {
    it("ecr-prod-no-force-delete catches a prod repository with forceDelete, and leaves staging's", async () => {
      const bad = variant(prod, REPOSITORY, "shop-backend", (inputs) => ({
        ...inputs,
        forceDelete: true,
      }));
      const [v] = caught(await runPolicies(bad, asProd), "ecr-prod-no-force-delete");
      assert.match(v.message, /shop-prod-backend/);
      assert.equal(one(staging, REPOSITORY, "shop-backend").inputs.forceDelete, true);
      spared(await runPolicies(staging.resources, asStaging), "ecr-prod-no-force-delete");
    });

    it("secrets-prod-recovery-window catches a prod secret deleted at once, and leaves staging's", async () => {
      const bad = variant(prod, SECRET, "shop-jwt-secret", (inputs) => ({
        ...inputs,
        recoveryWindowInDays: 0,
      }));
      const [v] = caught(await runPolicies(bad, asProd), "secrets-prod-recovery-window");
      assert.match(v.message, /shop\/prod\/jwt-secret/);
      assert.equal(one(staging, SECRET, "shop-jwt-secret").inputs.recoveryWindowInDays, 0);
      spared(await runPolicies(staging.resources, asStaging), "secrets-prod-recovery-window");
    });
  });

  describe("prod ECR repositories", () => {
    const mutable = (inputs: Json): Json => ({ ...inputs, imageTagMutability: "MUTABLE" });

    it("ecr-prod-immutable-tags catches mutable tags in prod, with the stage read from the stack", async () => {
      const [v] = caught(
        await runPolicies(variant(prod, REPOSITORY, "shop-backend", mutable), asProd),
        "ecr-prod-immutable-tags",
      );
      assert.match(v.message, /shop-prod-backend/);
      assert.match(v.message, /stage "prod" from the stack/);
    });

    it("ecr-prod-immutable-tags lets exactly the stack's own tag move, as ecr.stageTag sets it, and nothing else", async () => {
      const excluding =
        (filter: string) =>
        (inputs: Json): Json => ({
          ...inputs,
          imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
          imageTagMutabilityExclusionFilters: [{ filter, filterType: "WILDCARD" }],
        });
      const moving = variant(prod, REPOSITORY, "shop-backend", excluding("prod"));
      spared(
        await runPolicies(moving, { ...asProd, stackName: "prod" }),
        "ecr-prod-immutable-tags",
      );
      // Another tag, a wildcard, or a stack the pack cannot name: a pushed tag could be rewritten.
      for (const [filter, stackName] of [
        ["latest", "prod"],
        ["*", "prod"],
        ["prod", undefined],
      ] as const) {
        const bad = variant(prod, REPOSITORY, "shop-backend", excluding(filter));
        caught(await runPolicies(bad, { ...asProd, stackName }), "ecr-prod-immutable-tags");
      }
    });

    it("leaves staging's repositories mutable, unless config says the stack is prod", async () => {
      const bad = variant(staging, REPOSITORY, "shop-backend", mutable);
      spared(await runPolicies(bad, asStaging), "ecr-prod-immutable-tags");
      const asProdByConfig = await runPolicies(bad, {
        ...asStaging,
        config: { "ecr-prod-immutable-tags": { stage: "prod" } },
      });
      assert.match(
        caught(asProdByConfig, "ecr-prod-immutable-tags")[0].message,
        /stage "prod" from this policy's config/,
      );
    });

    it("ignores a resource's stage tag: a repository tagged staging in a prod stack is prod", async () => {
      const tagged = variant(prod, REPOSITORY, "shop-backend", (inputs) => ({
        ...mutable(inputs),
        tags: { stage: "staging" },
        tagsAll: { stage: "staging", Stage: "staging" },
        forceDelete: true,
      }));
      const violations = await runPolicies(tagged, asProd);
      caught(violations, "ecr-prod-immutable-tags");
      caught(violations, "ecr-prod-no-force-delete");
      // Nor does a tag make staging prod.
      const taggedProd = variant(staging, REPOSITORY, "shop-backend", (inputs) => ({
        ...mutable(inputs),
        tags: { stage: "prod" },
      }));
      spared(await runPolicies(taggedProd, asStaging), "ecr-prod-immutable-tags");
    });

    it("ignores the provider's defaultTags: a provider tagging Stage: staging does not make a prod stack staging", async () => {
      const provider = one(prod, AWS_PROVIDER, "shop");
      const resources = variant(prod, AWS_PROVIDER, "shop", (inputs) => ({
        ...inputs,
        defaultTags: JSON.stringify({ tags: { Stage: "staging", stage: "staging" } }),
      })).map((r) =>
        r.type === REPOSITORY
          ? { ...r, provider: `${provider.urn}::id`, inputs: mutable(r.inputs) }
          : r,
      );
      const found = caught(await runPolicies(resources, asProd), "ecr-prod-immutable-tags");
      assert.equal(found.length, 2);
      const recovery = variant(prod, SECRET, "shop-jwt-secret", (inputs) => ({
        ...inputs,
        recoveryWindowInDays: 0,
        tags: { stage: "staging" },
      }));
      caught(await runPolicies(recovery, asProd), "secrets-prod-recovery-window");
    });

    it("holds a stack of unknown stage to the prod rules, and takes the stage from the stack's config", async () => {
      const bad = variant(staging, REPOSITORY, "shop-backend", mutable);
      const [v] = caught(await runPolicies(bad), "ecr-prod-immutable-tags");
      assert.match(v.message, /stage unknown/);
      spared(
        await runPolicies(bad, { stackConfig: { "delivery:stage": "staging" } }),
        "ecr-prod-immutable-tags",
      );
      caught(
        await runPolicies(bad, { stackConfig: { "delivery:stage": "prod" } }),
        "ecr-prod-immutable-tags",
      );
    });

    it("ecr-prod-scan-on-push catches a prod repository without scan on push", async () => {
      const bad = variant(prod, REPOSITORY, "shop-frontend", (inputs) => ({
        ...inputs,
        imageScanningConfiguration: { scanOnPush: false },
      }));
      const [v] = caught(await runPolicies(bad, asProd), "ecr-prod-scan-on-push");
      assert.match(v.message, /shop-prod-frontend/);
    });

    it("ecr-prod-lifecycle-policy catches a prod repository without a lifecycle policy", async () => {
      const lifecycle = one(prod, LIFECYCLE, "shop-backend-lifecycle");
      const bad = prod.resources.filter((r) => r !== lifecycle);
      const found = caught(await runPolicies(bad, asProd), "ecr-prod-lifecycle-policy");
      assert.equal(found.length, 1);
      assert.equal(found[0].urn, one(prod, REPOSITORY, "shop-backend").urn);
      assert.equal(found[0].enforcementLevel, "advisory");
      spared(await runPolicies(bad, asStaging), "ecr-prod-lifecycle-policy");
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
        ...asProd,
        config: { "cloudwatch-log-retention": "mandatory" },
      });
      assert.equal(caught(perPolicy, "cloudwatch-log-retention")[0].enforcementLevel, "mandatory");
      const objectForm = await runPolicies(noRetention(), {
        ...asProd,
        config: { all: "advisory", "cloudwatch-log-retention": { enforcementLevel: "mandatory" } },
      });
      assert.equal(caught(objectForm, "cloudwatch-log-retention")[0].enforcementLevel, "mandatory");
      const bad = variant(prod, REPOSITORY, "shop-backend", (i) => ({
        ...i,
        imageTagMutability: "MUTABLE",
      }));
      const all = await runPolicies(bad, { ...asProd, config: { all: "advisory" } });
      assert.equal(caught(all, "ecr-prod-immutable-tags")[0].enforcementLevel, "advisory");
      const disabled = await runPolicies(noRetention(), {
        ...asProd,
        config: { "cloudwatch-log-retention": "disabled" },
      });
      spared(disabled, "cloudwatch-log-retention");
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
        readFileSync(path.join(PROJECT_DIR, "policy", "config.example.json"), "utf8"),
      ) as Record<string, never>;
      clean(
        await runPolicies(prod.resources, { ...asProd, config: example }),
        "prod with the example config",
      );
    });
  });

  it("reads the stack's stage and config the way the CLI passes them to the pack", () => {
    const config = { "delivery:stage": "prod", "github:owner": "acme" };
    assert.equal(stageFromProcessEnv({ PULUMI_CONFIG: JSON.stringify(config) }), "prod");
    assert.equal(
      stageFromProcessEnv({ PULUMI_CONFIG: JSON.stringify({}), PULUMI_NODEJS_STACK: "staging" }),
      "staging",
    );
    assert.equal(stageFromProcessEnv({ PULUMI_STACK: "staging" }), "staging");
    assert.equal(stageFromProcessEnv({}), undefined);
    assert.deepEqual(configFromProcessEnv({ PULUMI_CONFIG: JSON.stringify(config) }), config);
    assert.deepEqual(configFromProcessEnv({ PULUMI_CONFIG: "not json" }), {});
  });
});
