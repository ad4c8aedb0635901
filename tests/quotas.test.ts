/**
 * IAM quotas: the program never produces a policy IAM would refuse. Grants move from inline
 * policies into customer-managed ones as a stage grows, and only what cannot fit is refused, with
 * the quota's name and how to raise it.
 */
import { strict as assert } from "assert";
import { Statement } from "../lib/iam";
import { packPolicies } from "../lib/policyPacking";
import { generatedStackConfig } from "../scripts/generated";
import { OfflineRun } from "../scripts/offline";
import { ConfigInput, loadStage } from "../stacks/load";
import { ACCOUNT, mayDo } from "./iam";
import { plan } from "./hooks";
import { FALLBACK_ON, ofType, policy, refusedWith, rolePolicies, withConfig } from "./support";

/** A generated staging stack of `n` services with two secrets each. */
function generated(n: number, extra: Record<string, unknown> = {}): ConfigInput {
  const config = generatedStackConfig(n, extra);
  return {
    stack: "staging",
    values: Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    secretKeys: new Set(),
  };
}

// IAM's quotas, written out from the IAM User Guide's "IAM and AWS STS quotas" page (not read from
// the product's constants): a role's inline policies together, one managed policy, a role's trust
// policy, and managed policies per role, in characters without white space.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const ROLE_INLINE_CHARACTERS = 10_240;
const MANAGED_POLICY_CHARACTERS = 6_144;
const TRUST_POLICY_CHARACTERS = 2_048;
const MANAGED_POLICIES_PER_ROLE = 10;
const LIMITS = { inlineSize: ROLE_INLINE_CHARACTERS, managedSize: MANAGED_POLICY_CHARACTERS };

const statement = (sid: string, resources: number): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Action: "ecr:PutImage",
  Resource: Array.from(
    { length: resources },
    (_, i) => `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app-staging-service-${i}`,
  ),
});

/** Where a role's grants went: characters of its inline policies, and of its managed ones. */
function layoutOf(run: OfflineRun, roleName: string): { inline: number; managed: number } {
  const role = ofType(run, "aws:iam/role:Role").find((r) => r.inputs.name === roleName);
  if (!role) throw new Error(`no role named ${roleName}`);
  const chars = (docs: { inputs: Record<string, unknown> }[]) =>
    docs.reduce((sum, p) => sum + JSON.stringify(JSON.parse(String(p.inputs.policy))).length, 0);
  const attached = new Set(
    ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === role.id)
      .map((a) => String(a.inputs.policyArn)),
  );
  return {
    inline: chars(
      ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.id),
    ),
    managed: chars(
      ofType(run, "aws:iam/policy:Policy").filter((p) => attached.has(String(p.state.arn))),
    ),
  };
}

/** Every IAM document of a run against IAM's default quotas. */
function assertFitsDefaultQuotas(run: OfflineRun): void {
  for (const role of ofType(run, "aws:iam/role:Role")) {
    const name = String(role.inputs.name);
    const trust = String(role.inputs.assumeRolePolicy);
    assert.ok(
      JSON.stringify(JSON.parse(trust)).length <= TRUST_POLICY_CHARACTERS,
      `${name}: trust policy`,
    );
    const inline = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter(
      (p) => p.inputs.role === role.id,
    );
    const inlineSize = inline.reduce((sum, p) => sum + String(p.inputs.policy).length, 0);
    assert.ok(inlineSize <= ROLE_INLINE_CHARACTERS, `${name}: inline policies ${inlineSize}`);
    const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
      (a) => a.inputs.role === role.id,
    );
    assert.ok(
      attached.length <= MANAGED_POLICIES_PER_ROLE,
      `${name}: ${attached.length} managed policies`,
    );
  }
  for (const p of ofType(run, "aws:iam/policy:Policy")) {
    assert.ok(String(p.inputs.policy).length <= MANAGED_POLICY_CHARACTERS, String(p.inputs.name));
  }
}

describe("IAM quotas", () => {
  describe("packing grants into policies", () => {
    it("keeps one inline policy per grant while they fit the role's inline quota", () => {
      const layout = packPolicies(
        { ecr: [statement("Push", 3)], ecs: [statement("Deploy", 2)] },
        LIMITS,
      );
      assert.deepEqual(
        layout.inline.map((p) => p.key),
        ["ecr", "ecs"],
      );
      assert.equal(layout.managed.length, 0);
    });

    it("past the inline quota, packs every statement into managed policies that each fit, splitting resource lists", () => {
      const grants = { ecr: [statement("Push", 150)], ecs: [statement("Deploy", 40)] };
      const layout = packPolicies(grants, LIMITS);
      assert.equal(layout.inline.length, 0);
      assert.ok(layout.managed.length >= 3);
      for (const p of layout.managed) {
        const doc = { Version: "2012-10-17" as const, Statement: [...p.statements] };
        assert.ok(JSON.stringify(doc).length <= MANAGED_POLICY_CHARACTERS);
      }
      // Every resource is still granted, once, under its statement's Sid (split parts numbered).
      const granted = (sid: string) =>
        layout.managed
          .flatMap((p) => p.statements)
          .filter((s) => String(s.Sid).replace(/\d+$/, "") === sid)
          .flatMap((s) => s.Resource as string[]);
      assert.deepEqual(granted("Push"), statement("Push", 150).Resource);
      assert.deepEqual(granted("Deploy"), statement("Deploy", 40).Resource);
    });

    it("lays out the same policies whatever order the grants come in, so a refactor moves no statement", () => {
      for (const [ecr, ecs] of [
        [statement("Push", 3), statement("Deploy", 2)],
        [statement("Push", 150), statement("Deploy", 40)],
      ]) {
        assert.deepEqual(
          packPolicies({ ecs: [ecs], ecr: [ecr] }, LIMITS),
          packPolicies({ ecr: [ecr], ecs: [ecs] }, LIMITS),
        );
      }
    });
  });

  it("moves a role's grants into managed policies exactly when its inline policies would pass 10,240 characters", async () => {
    // The generated deploy role's grants grow by about 640 characters a service: 13 services
    // still fit inline, 14 do not.
    const fits = layoutOf(await plan(generated(13)), "shop-staging-deploy");
    assert.equal(fits.managed, 0, "13 services: no managed policy");
    assert.ok(
      fits.inline > 9_000 && fits.inline <= ROLE_INLINE_CHARACTERS,
      `13 services: ${fits.inline} characters inline`,
    );
    const past = layoutOf(await plan(generated(14)), "shop-staging-deploy");
    assert.equal(past.inline, 0, "14 services: no inline policy");
    assert.ok(past.managed > ROLE_INLINE_CHARACTERS, `14 services: ${past.managed} characters`);
  });

  describe("a stage of 60 services with two secrets each", () => {
    let run: OfflineRun;
    before(async () => {
      run = await plan(generated(60));
    });

    it("plans, and every trust, inline and managed policy fits IAM's default quotas", () => {
      assertFitsDefaultQuotas(run);
      assert.ok(
        ofType(run, "aws:iam/policy:Policy").length > 0,
        "the grants moved to managed policies",
      );
    });

    it("still lets the deploy role push to each repository and deploy each service, and nothing of prod", async () => {
      const docs = rolePolicies(run, "shop-staging-deploy");
      for (const i of [1, 30, 60]) {
        const svc = `svc${String(i).padStart(3, "0")}`;
        assert.ok(
          await mayDo(
            docs,
            "ecr:PutImage",
            `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/shop-staging-${svc}`,
          ),
          `push ${svc}`,
        );
        assert.ok(
          await mayDo(
            docs,
            "ecs:UpdateService",
            `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop-staging/shop-staging-${svc}`,
          ),
          `deploy ${svc}`,
        );
      }
      assert.equal(
        await mayDo(
          docs,
          "ecr:PutImage",
          `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/shop-prod-svc001`,
        ),
        false,
      );
    });

    it("lets each execution role read exactly its own two secrets", async () => {
      const docs = rolePolicies(run, "shop-staging-svc042-execution");
      const arnOf = (name: string) =>
        String(
          ofType(run, "aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === name)?.state
            .arn,
        );
      const own = ["shop/staging/svc042-jwt", "shop/staging/svc042-key"];
      for (const name of own) {
        assert.ok(await mayDo(docs, "secretsmanager:GetSecretValue", arnOf(name)), name);
      }
      assert.equal(
        await mayDo(docs, "secretsmanager:GetSecretValue", arnOf("shop/staging/svc043-jwt")),
        false,
      );
    });

    it("fits GitHub's per-environment limits", () => {
      const variables = ofType(
        run,
        "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
      );
      const secrets = ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
      assert.ok(variables.length <= 100 && secrets.length <= 100);
      for (const v of variables) assert.ok(String(v.inputs.value).length <= 48 * 1024);
    });
  });

  it("refuses what cannot fit, naming the quota and how to raise it", async () => {
    await refusedWith(
      generated(200),
      "delivery:roles.preview",
      'quota "Managed policies per role" of 10',
      "delivery:quotas.managedPoliciesPerRole",
    );
  });

  it("lays it out within the quota once the quota is raised and config says so", () => {
    // The layout the components declare, read without declaring 4,000 resources.
    const stage = loadStage(generated(200, { "delivery:quotas": { managedPoliciesPerRole: 25 } }));
    const preview = stage.access.roles.preview;
    assert.equal(preview.inline.length, 0);
    assert.ok(preview.managed.length > 10 && preview.managed.length <= 25);
  });

  it("refuses a break-glass user whose grants need more managed policies than IAM attaches to a user, and lays it out once that quota is raised", async () => {
    // The roles' quota is raised so that they fit; the user's (10) is not.
    const { problems } = await refusedWith(
      generated(150, {
        "delivery:fallback": FALLBACK_ON,
        "delivery:quotas": { managedPoliciesPerRole: 20 },
      }),
      "delivery:fallback.enabled",
      'quota "Managed policies per user" of 10',
      "delivery:quotas.managedPoliciesPerUser",
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    const stage = loadStage(
      generated(150, {
        "delivery:fallback": FALLBACK_ON,
        "delivery:quotas": { managedPoliciesPerRole: 20, managedPoliciesPerUser: 20 },
      }),
    );
    const user = stage.access.fallbackUser;
    assert.ok(user && user.inline.length === 0);
    assert.ok(user.managed.length > 10 && user.managed.length <= 20, `${user.managed.length}`);
  });

  it("refuses a trust policy over IAM's default length, and takes it once the quota is raised", async () => {
    const branches = Array.from({ length: 40 }, (_, i) => `ref:refs/heads/release-${i}`);
    const config = withConfig(generated(1), { "delivery:deployRole.subjects": branches });
    await refusedWith(
      config,
      "delivery:deployRole.subjects",
      'quota "Role trust policy length" of 2048',
      "delivery:quotas.roleTrustPolicyLength",
    );
    const raised = await plan(
      withConfig(config, { "delivery:quotas": { roleTrustPolicyLength: 4096 } }),
    );
    const role = ofType(raised, "aws:iam/role:Role").find(
      (r) => r.inputs.name === "shop-staging-deploy",
    );
    assert.ok(role && JSON.stringify(policy(role, "assumeRolePolicy")).length > 2048);
  });
});
