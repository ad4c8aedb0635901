/**
 * The stack as the stack policies see it: each IAM role with who can assume it from GitHub
 * Actions and what its grants give away (inline policies, role policies, and attached policies,
 * resolved within the stack), and the GitHub environments the stack declares with their
 * protection. The config-time invariants (`stacks/rules/prodReview.ts`,
 * `stacks/rules/exposedRoles.ts`) read the same facts from the access model; here they are read
 * back from the final resources, so a resource added by hand is held to them too.
 */
import * as iam from "@pulumi/aws/iam";
import { RepositoryEnvironment } from "@pulumi/github/repositoryEnvironment";
import { RepositoryEnvironmentDeploymentPolicy } from "@pulumi/github/repositoryEnvironmentDeploymentPolicy";
import type { PolicyResource } from "@pulumi/policy";
import { ACTION_CLASSES, GrantClass } from "../lib/grants";
import { isObject } from "../lib/json";
import { matchesAnyRef } from "../stacks/access";
import { PROJECT } from "../stacks/project";
import {
  Json,
  StackConfig,
  WILDCARD,
  configValue,
  fromJson,
  ifKnown,
  list,
  statementsOf,
} from "./read";
import { Admission, GithubTrust, githubTrustOf } from "./trust";

const CLASS_OF_ACTION = new Map(
  Object.entries(ACTION_CLASSES).map(([action, c]) => [action.toLowerCase(), c]),
);

/**
 * What granting an action gives away: the class `lib/grants.ts` gives the product's own actions.
 * Any other action, and every pattern, counts as a write: failing closed, a grant the pack
 * does not know never passes for read-only.
 */
export function actionClass(action: string): GrantClass {
  if (WILDCARD.test(action)) return "write";
  return CLASS_OF_ACTION.get(action.toLowerCase()) ?? "write";
}

/** What in one policy document gives away more than reading: actions, or why it cannot be read. */
function nonReadGrants(document: unknown): string[] {
  const parsed = statementsOf(document);
  if ("problem" in parsed) return [`a policy that ${parsed.problem}`];
  return parsed.statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => [
      ...(s.NotAction !== undefined ? ["an Allow with NotAction"] : []),
      ...list(s.Action).filter((a) => actionClass(a) !== "read"),
    ]);
}

/** A role of the stack, who can assume it from GitHub, and what it may do beyond reading. */
export interface RoleView {
  readonly resource: PolicyResource;
  /** Its IAM name (the logical name when it has none yet). */
  readonly name: string;
  /** Undefined when the role does not trust GitHub's OIDC provider. */
  readonly github?: GithubTrust;
  /**
   * Everything that makes it more than read-only: actions that write or read a secret, an Allow
   * with NotAction, attached policies whose grants the stack does not show. Empty: read-only.
   */
  readonly writes: readonly string[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The roles of the stack, with their grants resolved across the policy resources. */
export function rolesOf(resources: readonly PolicyResource[]): RoleView[] {
  const roles = resources.filter((r) => r.isType(iam.Role));
  const writes = new Map<PolicyResource, string[]>(roles.map((r) => [r, []]));
  const byRef = new Map<string, PolicyResource>();
  for (const r of roles) {
    const props = r.props as Json;
    for (const ref of [str(props.name), str(ifKnown(props, "arn")), str(ifKnown(props, "id"))]) {
      if (ref) byRef.set(ref.toLowerCase(), r);
    }
  }
  // A role is named by its name (RolePolicy.role, attachments) or its ARN (`…:role/<path>/<name>`).
  const roleOf = (ref: unknown): PolicyResource | undefined => {
    const text = str(ref)?.toLowerCase();
    if (!text) return undefined;
    return byRef.get(text) ?? byRef.get(text.replace(/^arn:[^:]*:iam::\d*:role\/(.*\/)?/, ""));
  };
  const policies = new Map<string, PolicyResource>();
  for (const p of resources.filter((r) => r.isType(iam.Policy))) {
    const props = p.props as Json;
    for (const ref of [str(ifKnown(props, "arn")), str(ifKnown(props, "id"))]) {
      if (ref) policies.set(ref, p);
    }
  }
  // An attached policy: one of the stack's (by ARN, or by name in the account), else unseen.
  const attachedGrants = (arn: unknown): string[] => {
    const text = str(arn);
    if (!text) return ["an attached policy whose ARN is not known"];
    const name = /^arn:[^:]*:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(text)?.[2];
    const own =
      policies.get(text) ??
      (name === undefined
        ? undefined
        : [...new Set(policies.values())].find((p) => str((p.props as Json).name) === name));
    if (own) return nonReadGrants((own.props as Json).policy);
    return [`the attached policy ${text}, whose grants this stack does not show`];
  };
  const add = (role: PolicyResource | undefined, found: string[]) => {
    if (role) writes.get(role)?.push(...found);
  };
  for (const r of resources) {
    const props = () => r.props as Json;
    if (r.isType(iam.Role)) {
      const { inlinePolicies, managedPolicyArns } = props();
      for (const p of Array.isArray(inlinePolicies) ? inlinePolicies : []) {
        add(r, isObject(p) ? nonReadGrants(p.policy) : []);
      }
      for (const arn of Array.isArray(managedPolicyArns) ? managedPolicyArns : []) {
        add(r, attachedGrants(arn));
      }
    } else if (r.isType(iam.RolePolicy)) {
      add(roleOf(props().role), nonReadGrants(props().policy));
    } else if (r.isType(iam.RolePolicyAttachment)) {
      add(roleOf(props().role), attachedGrants(props().policyArn));
    } else if (r.isType(iam.PolicyAttachment)) {
      const { roles: attachedTo, policyArn } = props();
      for (const role of Array.isArray(attachedTo) ? attachedTo : []) {
        add(roleOf(role), attachedGrants(policyArn));
      }
    } else if (r.isType(iam.RolePolicyAttachmentsExclusive)) {
      const { roleName, policyArns } = props();
      for (const arn of list(policyArns)) add(roleOf(roleName), attachedGrants(arn));
    }
  }
  return roles.map((r) => {
    const props = r.props as Json;
    return {
      resource: r,
      name: str(props.name) ?? r.name,
      github: githubTrustOf(props.assumeRolePolicy),
      writes: [...new Set(writes.get(r))],
    };
  });
}

// ---------------------------------------------------------------------------------------------
// GitHub environments.

/** A GitHub environment the stack declares, with what stands in front of it. */
export interface EnvironmentView {
  readonly resource: PolicyResource;
  /** The repository's owner (the GitHub provider's `owner`, else `github:owner`), if known. */
  readonly owner?: string;
  readonly repository: string;
  readonly name: string;
  /** Required reviewers, users and teams together. */
  readonly reviewers: number;
  readonly preventSelfReview: boolean;
  /** The provider's default is true: admins bypass unless it says false. */
  readonly canAdminsBypass: boolean;
  /** Why every branch or every tag may run its jobs; undefined when its deploy refs are narrower. */
  readonly anyRef?: string;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The GitHub environments the stack declares. */
export function environmentsOf(
  resources: readonly PolicyResource[],
  config: StackConfig,
): EnvironmentView[] {
  const deployPolicies = resources
    .filter((r) => r.isType(RepositoryEnvironmentDeploymentPolicy))
    .map((r) => r.props as Json);
  return resources
    .filter((r) => r.isType(RepositoryEnvironment))
    .flatMap((r): EnvironmentView[] => {
      const props = r.props as Json;
      const name = str(props.environment);
      const repoText = str(props.repository);
      if (!name || !repoText) return [];
      const [owner, repository] = repoText.includes("/")
        ? repoText.split("/", 2)
        : [str(r.provider?.props.owner) ?? str(config["github:owner"]), repoText];
      const reviewers = (Array.isArray(props.reviewers) ? props.reviewers : [])
        .filter(isObject)
        .reduce(
          (n, x) =>
            n +
            (Array.isArray(x.users) ? x.users.length : 0) +
            (Array.isArray(x.teams) ? x.teams.length : 0),
          0,
        );
      const branchPolicy = fromJson(props.deploymentBranchPolicy);
      let anyRef: string | undefined;
      if (!isObject(branchPolicy)) {
        anyRef = "has no deployment branch policy, so every branch may deploy";
      } else if (branchPolicy.customBranchPolicies === true) {
        const patterns = deployPolicies
          .filter((p) => same(str(p.environment), name) && same(str(p.repository), repoText))
          .flatMap((p) => [str(p.branchPattern), str(p.tagPattern)])
          .filter((p): p is string => p !== undefined);
        const any = patterns.find(matchesAnyRef);
        if (any !== undefined)
          anyRef = `has the deploy pattern "${any}", which matches every branch or tag`;
      } else if (branchPolicy.protectedBranches !== true) {
        anyRef =
          "has a deployment branch policy that restricts nothing, so every branch may deploy";
      }
      return [
        {
          resource: r,
          owner,
          repository,
          name,
          reviewers,
          preventSelfReview: props.preventSelfReview === true,
          canAdminsBypass: props.canAdminsBypass !== false,
          anyRef,
        },
      ];
    });
}

/** The stack's own repository, from its config (`github:owner`, `delivery:github`). */
interface StackRepository {
  readonly owner?: string;
  readonly repository?: string;
  readonly ownerId?: string;
  readonly repositoryId?: string;
}

function stackRepository(config: StackConfig): StackRepository {
  const github = configValue(config, `${PROJECT}:github`);
  const g = isObject(github) ? github : {};
  const id = (v: unknown) =>
    typeof v === "number" || typeof v === "string" ? String(v) : undefined;
  return {
    owner: str(config["github:owner"]),
    repository: str(g.repository),
    ownerId: id(g.ownerId),
    repositoryId: id(g.repositoryId),
  };
}

/**
 * The declared environment an environment admission names, or why none is. A `sub` names its
 * repository by name (`repo:acme/shop`, immutable `repo:acme@1/shop@2`) or only by ids
 * (`repository_id:2`, customized claim templates): ids are matched through the stack config's
 * `delivery:github.ownerId` / `repositoryId`, the only place this stack states them.
 */
export function environmentOf(
  admission: Admission & { kind: "environment" },
  environments: readonly EnvironmentView[],
  config: StackConfig,
): { environment: EnvironmentView } | { problem: string } {
  const claim = admission.repo;
  if (claim.wildcard) {
    return {
      problem: "its sub admits other repositories, whose environments nobody here protects",
    };
  }
  const own = stackRepository(config);
  const isOwn = (env: EnvironmentView) =>
    same(env.owner, own.owner) && same(env.repository, own.repository);
  const differs = (claimed: string | undefined, known: string | undefined) =>
    claimed !== undefined && known !== undefined && claimed !== known;
  const matches = (env: EnvironmentView) => {
    if (!same(env.name, admission.name)) return false;
    if (claim.repository !== undefined) {
      // Immutable subjects carry ids next to the names: they must be the stack's, where it says.
      const idsDiffer =
        isOwn(env) &&
        (differs(claim.ownerId, own.ownerId) || differs(claim.repositoryId, own.repositoryId));
      return same(env.repository, claim.repository) && same(env.owner, claim.owner) && !idsDiffer;
    }
    return (
      claim.repositoryId !== undefined &&
      isOwn(env) &&
      claim.repositoryId === own.repositoryId &&
      !differs(claim.ownerId, own.ownerId)
    );
  };
  const candidates = environments.filter(matches);
  if (candidates.length > 0) return { environment: candidates[0] };
  const repo =
    claim.repository !== undefined
      ? `${claim.owner ?? "?"}/${claim.repository}`
      : claim.repositoryId !== undefined
        ? `the repository with id ${claim.repositoryId}`
        : "no named repository";
  if (
    claim.repository === undefined &&
    claim.repositoryId !== undefined &&
    own.repositoryId === undefined
  ) {
    return {
      problem: `its sub names the repository only by id (${claim.repositoryId}), and the stack config states no ${PROJECT}:github.repositoryId to tie it to an environment this stack declares`,
    };
  }
  return {
    problem: `no resource of this stack declares the environment ${admission.name} on ${repo}: GitHub creates it, unprotected, the first time a workflow names it`,
  };
}
