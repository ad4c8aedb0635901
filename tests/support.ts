/**
 * Test helpers: find declared resources, read their policies, and evaluate IAM policies the way
 * AWS does for the cases the product uses (Allow statements, StringEquals/StringLike conditions),
 * so tests assert who is admitted and what is allowed rather than the JSON's spelling.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { OfflineRun, waitForRegistrations } from "../scripts/offline";
import { RecordedResource } from "../scripts/mocks";
import { isObject } from "../lib/json";
import { ConfigError, ConfigInput } from "../stacks/load";
import { cloud, plan } from "./hooks";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import {
  createValidatedPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { PolicyDocument } from "../lib/iam";
import { ACCOUNT, DEFAULT_KEY_POLICY, identityRequest } from "./iam";

/** The audience of the GitHub Actions tokens that AWS roles admit. */
export const AUD = "sts.amazonaws.com";

/** The account's CloudTrail trail, which the break-glass rule's events come through. */
export const TRAIL = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events";

/** The break-glass fallback switched on, with whom to tell and the trail that sees its use. */
export const FALLBACK_ON = {
  enabled: true,
  alarmEmails: ["oncall@example.com"],
  trailArn: TRAIL,
} as const;

/** Resolves an Output (mocks resolve everything). */
export const unwrap = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));

/** All resources of a type, e.g. `aws:iam/role:Role`. */
export function ofType(run: OfflineRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The one resource with this type and logical name; fails when there is not exactly one. */
export function one(run: OfflineRun, type: string, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} named ${name}, found ${found.length}; have: ${ofType(run, type)
        .map((r) => r.name)
        .join(", ")}`,
    );
  }
  return found[0];
}

/** Parses a JSON policy input (`policy`, `assumeRolePolicy`). */
export function policy(resource: RecordedResource, key = "policy"): PolicyDocument {
  const text = resource.inputs[key];
  if (typeof text !== "string") throw new Error(`${resource.name}.${key} is not a JSON string`);
  return JSON.parse(text) as PolicyDocument;
}

/**
 * Every policy document of the role whose physical name is `roleName`: its inline policies and
 * the customer-managed policies attached to it, however the access model laid them out.
 */
export function rolePolicies(run: OfflineRun, roleName: string): PolicyDocument[] {
  const role = ofType(run, "aws:iam/role:Role").find((r) => r.inputs.name === roleName);
  if (!role) throw new Error(`no role named ${roleName}`);
  // A role policy's `role` is the role's name, which is its mock id: match like the engine would.
  const inline = ofType(run, "aws:iam/rolePolicy:RolePolicy")
    .filter((p) => p.inputs.role === role.id)
    .map((p) => policy(p));
  const attached = new Set(
    ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === role.id)
      .map((a) => String(a.inputs.policyArn)),
  );
  const managed = ofType(run, "aws:iam/policy:Policy")
    .filter((p) => attached.has(String(p.state.arn)))
    .map((p) => policy(p));
  return [...inline, ...managed];
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The trust policy of a GitHub Actions role, by its logical name (`shop-deploy`, `shop-preview`). */
export function trustOf(run: OfflineRun, role = "shop-deploy"): PolicyDocument {
  return policy(one(run, "aws:iam/role:Role", role), "assumeRolePolicy");
}

/** The ARN of the secret with this physical name (`shop/staging/jwt-secret`). */
export function secretArn(run: OfflineRun, name: string): string {
  return String(
    ofType(run, "aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === name)?.state.arn,
  );
}

/** IAM's wildcard match: `*` any run of characters (including `/` and `:`), `?` one character. */
export function iamLike(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/** Claims of a GitHub OIDC token, as IAM sees them. */
export interface TokenClaims {
  readonly sub: string;
  /** Omit to model a token without the `aud` claim. */
  readonly aud?: string;
  /** The provider the token was verified by; defaults to the one the policy names. */
  readonly providerArn?: string;
}

/**
 * Does this trust policy let a GitHub Actions token with these claims assume the role? Asked of
 * the IAM oracle (`@cloud-copilot/iam-simulate`). Its validating entry point drops GitHub's
 * `aud` and `sub` condition keys, which the Service Authorization Reference it reads does not
 * list (they are the generic OIDC keys of the IAM User Guide), so the unvalidated one is used,
 * with the trust policy validated as one first.
 */
export function trustAdmits(doc: PolicyDocument, claims: TokenClaims): boolean {
  const federated = doc.Statement.map((s) => s.Principal?.Federated).find((f) => f !== undefined);
  const principal = claims.providerArn ?? federated;
  if (principal === undefined) return false;
  const result = runUnsafeSimulation(
    {
      request: {
        principal,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: { resource: `arn:aws:iam::${ACCOUNT}:role/role-under-test`, accountId: ACCOUNT },
        contextVariables: {
          "token.actions.githubusercontent.com:sub": claims.sub,
          ...(claims.aud === undefined
            ? {}
            : { "token.actions.githubusercontent.com:aud": claims.aud }),
        },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(doc, validateTrustPolicy, { name: "trust" }),
    },
    {},
  );
  return result === "Allowed";
}

/** Asserts that the trust policy admits exactly the first subjects and refuses the second ones. */
export function assertTrust(
  doc: PolicyDocument,
  admitted: readonly string[],
  refused: readonly string[],
): void {
  for (const sub of admitted) assert.ok(trustAdmits(doc, { sub, aud: AUD }), `should admit ${sub}`);
  for (const sub of refused)
    assert.equal(trustAdmits(doc, { sub, aud: AUD }), false, `should refuse ${sub}`);
}

/**
 * Do these identity policies allow `action` on `resource` (with condition context)? Asked of the
 * IAM oracle's evaluation, synchronously; `tests/iam.ts`'s `mayDo` also validates the request
 * (unknown actions, resource types, condition keys). KMS keys are given KMS's default key policy,
 * without which KMS allows nobody.
 */
export function allows(
  docs: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): boolean {
  const result = runUnsafeSimulation(
    {
      ...identityRequest(docs, action, resource, context),
      ...(action.startsWith("kms:")
        ? {
            resourcePolicy: createValidatedPolicy(DEFAULT_KEY_POLICY, validateResourcePolicy, {
              name: "key policy",
            }),
          }
        : {}),
    },
    {},
  );
  return result === "Allowed";
}

/** Every action any statement of these policies grants. */
export function grantedActions(docs: readonly PolicyDocument[]): string[] {
  return [
    ...new Set(
      docs.flatMap((d) =>
        d.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action)),
      ),
    ),
  ].sort();
}

/** Every resource any Allow statement of these policies names. */
export function grantedResources(docs: readonly PolicyDocument[]): string[] {
  return [
    ...new Set(
      docs.flatMap((d) =>
        d.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Resource)),
      ),
    ),
  ].sort();
}

type Json = Record<string, unknown>;

/**
 * A copy of a stack's config with changes: each entry sets a top-level key (`delivery:ecr`) or,
 * with a dotted path, a nested value (`delivery:services.backend.port`). `undefined` removes it.
 */
export function withConfig(
  base: ConfigInput,
  changes: Record<string, unknown>,
  stack = base.stack,
): ConfigInput {
  const values: Record<string, string> = { ...base.values };
  for (const [path, value] of Object.entries(changes)) {
    const [top, ...rest] = path.split(".");
    if (rest.length === 0) {
      if (value === undefined) delete values[top];
      else values[top] = typeof value === "string" ? value : JSON.stringify(value);
      continue;
    }
    const current = values[top] === undefined ? {} : (JSON.parse(values[top]) as Json);
    let node: Json = current;
    for (const key of rest.slice(0, -1)) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Json;
    }
    const last = rest[rest.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    values[top] = JSON.stringify(current);
  }
  return { stack, values, secretKeys: new Set(base.secretKeys), siblings: base.siblings };
}

/** Marks config keys as secret (as `pulumi config set --secret` would). */
export function withSecret(base: ConfigInput, key: string, value: string): ConfigInput {
  return {
    ...base,
    values: { ...base.values, [key]: value },
    secretKeys: new Set([...base.secretKeys, key]),
  };
}

/**
 * Plans the config, expecting a refusal: a crash or an accepted config fails the test, and so
 * does a refusal that declared anything. Returns the error with its problems.
 */
export async function refusal(input: ConfigInput): Promise<ConfigError> {
  try {
    await plan(input);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Registrations reach the mock asynchronously: wait for any before counting.
    await waitForRegistrations();
    assert.equal(cloud.resources.length, 0, "a refused config must declare nothing");
    return err;
  }
  assert.fail("the config was accepted");
}

/**
 * Plans the config, expecting a refusal (as `refusal`) with a problem for `key` that contains
 * every fragment and says how to fix it (as `problemFor`).
 */
export async function refusedWith(
  input: ConfigInput,
  key: string,
  ...fragments: string[]
): Promise<ConfigError> {
  const err = await refusal(input);
  problemFor(err.problems, key, ...fragments);
  return err;
}

/**
 * The problem that starts with the full key path and contains every fragment; fails the test if
 * there is none, or if it does not say how to fix it.
 */
export function problemFor(
  problems: readonly string[],
  key: string,
  ...fragments: string[]
): string {
  const match = problems.find(
    (p) => p.startsWith(`${key}: `) && fragments.every((f) => p.includes(f)),
  );
  assert.ok(
    match,
    `no problem for ${key} containing ${JSON.stringify(fragments)}; got:\n${problems.join("\n")}`,
  );
  assert.match(match, /Fix: \S/, `the problem for ${key} says how to fix it: ${match}`);
  return match;
}
