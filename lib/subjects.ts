/**
 * GitHub OIDC subjects (`sub` claims) and the trust policies built from them.
 *
 * A subject is parsed from config into a typed value, checked against the product's rules, and
 * rendered back to the exact string GitHub puts in the token. Trust policies are built only from
 * typed subjects, so an unchecked string never reaches IAM.
 *
 * @see https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims
 */
import { PolicyDocument, Statement, policyDocument } from "./iam";

/** GitHub's OIDC issuer host, also the IAM condition key prefix. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** GitHub's OIDC issuer URL. */
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`;
/** A literal GitHub environment name (no wildcards), as config and trust policies take it. */
export const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The audience `aws-actions/configure-aws-credentials` requests. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/**
 * What a token is for, as GitHub writes it after `repo:<owner>/<repo>:`.
 * - `environment`: a job that names `environment: <value>`;
 * - `ref`: a job without an environment, on branch or tag `<value>` (`refs/heads/main`);
 * - `pull_request`: a job triggered by a pull request (a read-only role's only).
 */
export type Subject =
  | { readonly kind: "environment"; readonly value: string }
  | { readonly kind: "ref"; readonly value: string }
  | { readonly kind: "pull_request" };

/** The repository a role trusts: literal owner and name, never patterns. */
export interface RepositoryRef {
  readonly owner: string;
  readonly repository: string;
}

/**
 * What a role may trust: patterns need an explicit opt-in. Who may trust pull requests, any
 * branch or any tag depends on what the role may do: that is an invariant over the stage's
 * access model (`stacks/rules/exposedRoles.ts`).
 */
export interface SubjectRules {
  readonly allowPatterns: boolean;
  /** Environments this role must never trust (another stage's). */
  readonly forbiddenEnvironments: readonly string[];
}

/** Result of parsing one configured subject. */
export type ParsedSubject = { ok: true; subject: Subject } | { ok: false; problem: string };

const PATTERN_CHARS = /[*?]/;
const REF_PATTERN_PREFIXES = ["refs/heads/", "refs/tags/"];

/**
 * Parses one subject from config. Accepted forms, with or without the `repo:<owner>/<repo>:`
 * prefix: `environment:<name>`, `ref:refs/heads/<branch>`, `ref:refs/tags/<tag>`, `pull_request`.
 * The returned problem says what is wrong and how to fix it.
 */
export function parseSubject(
  input: string,
  repo: RepositoryRef,
  rules: SubjectRules,
): ParsedSubject {
  const own = `${repo.owner}/${repo.repository}`;
  const fail = (problem: string): ParsedSubject => ({ ok: false, problem });
  const trimmed = input.trim();
  if (trimmed === "" || trimmed === "*") {
    return fail(
      `"${input}" would admit every repository on GitHub. Fix: name what this role trusts, e.g. "environment:staging" or "ref:refs/heads/main"`,
    );
  }
  let rest = trimmed;
  if (trimmed.startsWith("repo:")) {
    const match = /^repo:([^:]*)\/([^:]*):(.*)$/.exec(trimmed);
    if (!match) {
      return fail(
        `"${input}" is not a GitHub subject. Fix: write "repo:${own}:environment:<name>" or just "environment:<name>"`,
      );
    }
    const [, owner, repository, tail] = match;
    if (PATTERN_CHARS.test(owner) || PATTERN_CHARS.test(repository)) {
      return fail(
        `"${input}" has a wildcard in the owner or repository part, which admits other repositories. Fix: use the literal "repo:${own}:..." or drop the prefix`,
      );
    }
    if (owner !== repo.owner || repository !== repo.repository) {
      return fail(
        `"${input}" names repository ${owner}/${repository}, but this stack's repository is ${own}. Fix: trust only ${own}; give another repository its own stack or role`,
      );
    }
    rest = tail;
  }
  if (rest === "pull_request") return { ok: true, subject: { kind: "pull_request" } };
  const sep = rest.indexOf(":");
  const kind = sep < 0 ? rest : rest.slice(0, sep);
  const value = sep < 0 ? "" : rest.slice(sep + 1);
  if (kind === "environment") {
    if (!ENVIRONMENT_NAME_PATTERN.test(value)) {
      return fail(
        `"${input}" needs a literal environment name (letters, digits, "-", "_", "."), no wildcards. Fix: e.g. "environment:staging"`,
      );
    }
    // GitHub environment names are case-insensitive: "Production" is the production environment.
    if (rules.forbiddenEnvironments.some((e) => e.toLowerCase() === value.toLowerCase())) {
      return fail(
        `"${input}" is another stage's environment; a stage's role must never trust it. Fix: remove it`,
      );
    }
    return { ok: true, subject: { kind: "environment", value } };
  }
  if (kind === "ref") {
    const prefix = REF_PATTERN_PREFIXES.find((p) => value.startsWith(p));
    if (!prefix || value.length === prefix.length || /[\s:]/.test(value)) {
      return fail(
        `"${input}" is not a branch or tag ref. Fix: write "ref:refs/heads/<branch>" or "ref:refs/tags/<tag>"`,
      );
    }
    if (PATTERN_CHARS.test(value)) {
      // The prefix has no pattern characters, so any "*" is in the branch or tag name.
      if (value.includes("?")) {
        return fail(
          `"${input}" may only use "*" in the branch or tag name. Fix: e.g. "ref:refs/tags/backend-v*"`,
        );
      }
      if (!rules.allowPatterns) {
        return fail(
          `"${input}" is a pattern; patterns need an explicit opt-in. Fix: set allowSubjectPatterns: true on this role, or list exact refs`,
        );
      }
    }
    return { ok: true, subject: { kind: "ref", value } };
  }
  return fail(
    `"${input}" is not a subject this product understands. Fix: use "environment:<name>", "ref:refs/heads/<branch>", "ref:refs/tags/<tag>" or "pull_request"`,
  );
}

/** True when the rendered subject is a pattern and needs `StringLike`. */
export function isPattern(subject: Subject): boolean {
  return subject.kind === "ref" && PATTERN_CHARS.test(subject.value);
}

/**
 * How GitHub writes the `sub` claim for the repository.
 * - `names` (GitHub's classic default): `repo:acme/shop:environment:prod`.
 * - `immutable`: owner and repository carry their numeric ids, `repo:acme@1234/shop@5678:...`, so a
 *   renamed or re-registered name never matches. Default for repositories created or renamed on or
 *   after 2026-07-15.
 * `claimKeys` is the repository's customization template (`include_claim_keys`), when it has one.
 *
 * @see https://docs.github.com/en/actions/concepts/security/openid-connect#immutable-subject-claims
 * @see https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
 */
export interface SubjectFormat {
  readonly ids: "names" | "immutable";
  /** Numeric ids of the owner and repository; required for `immutable` and id claim keys. */
  readonly ownerId?: number;
  readonly repositoryId?: number;
  /** Customized claim keys, in order; `context` is always last. Undefined: GitHub's default. */
  readonly claimKeys?: readonly ClaimKey[];
}

/** Claim keys a customization template may use with this product. */
export const CLAIM_KEYS = [
  "repo",
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "context",
] as const;
export type ClaimKey = (typeof CLAIM_KEYS)[number];

/** GitHub's default format. */
export const DEFAULT_SUBJECT_FORMAT: SubjectFormat = { ids: "names" };

function contextOf(subject: Subject): string {
  switch (subject.kind) {
    case "pull_request":
      return "pull_request";
    case "environment":
      return `environment:${subject.value}`;
    case "ref":
      return `ref:${subject.value}`;
  }
}

function requireId(value: number | undefined, what: string): number {
  if (value === undefined)
    throw new Error(`the subject format needs the ${what} id; set it in delivery:github`);
  return value;
}

/** The exact `sub` claim GitHub issues for this subject, e.g. `repo:acme/shop:environment:prod`. */
export function renderSubject(
  subject: Subject,
  repo: RepositoryRef,
  format: SubjectFormat = DEFAULT_SUBJECT_FORMAT,
): string {
  const immutable = format.ids === "immutable";
  const owner = immutable ? `${repo.owner}@${requireId(format.ownerId, "owner")}` : repo.owner;
  const repository = immutable
    ? `${repo.repository}@${requireId(format.repositoryId, "repository")}`
    : repo.repository;
  const keys = format.claimKeys ?? ["repo", "context"];
  return keys
    .map((key) => {
      switch (key) {
        case "repo":
          return `repo:${owner}/${repository}`;
        case "context":
          return contextOf(subject);
        case "repository":
          return `repository:${repo.owner}/${repo.repository}`;
        case "repository_owner":
          return `repository_owner:${repo.owner}`;
        case "repository_id":
          return `repository_id:${requireId(format.repositoryId, "repository")}`;
        case "repository_owner_id":
          return `repository_owner_id:${requireId(format.ownerId, "owner")}`;
      }
    })
    .join(":");
}

/** Inputs of {@link githubTrustPolicy}. */
export interface TrustPolicyArgs {
  /** ARN of the account's GitHub OIDC provider. */
  readonly providerArn: string;
  readonly repo: RepositoryRef;
  /** At least one subject; an empty list is refused (a role with no `sub` trusts everyone). */
  readonly subjects: readonly Subject[];
  /** How GitHub writes `sub` for this repository. */
  readonly format?: SubjectFormat;
}

/**
 * The trust policy of a role assumed from GitHub Actions. `aud` is always checked with
 * StringEquals; exact subjects go in one statement with StringEquals and patterns in a second
 * with StringLike. They must be separate statements: conditions in one statement are ANDed, so a
 * token would have to match both an exact subject and a pattern.
 */
export function githubTrustPolicy(args: TrustPolicyArgs): PolicyDocument {
  if (args.subjects.length === 0) {
    throw new Error(
      "githubTrustPolicy: subjects must not be empty; a role without a sub condition trusts every GitHub repository",
    );
  }
  const aud = `${GITHUB_OIDC_HOST}:aud`;
  const sub = `${GITHUB_OIDC_HOST}:sub`;
  const rendered = (pattern: boolean) =>
    [
      ...new Set(
        args.subjects
          .filter((s) => isPattern(s) === pattern)
          .map((s) => renderSubject(s, args.repo, args.format)),
      ),
    ].sort();
  const statement = (
    sid: string,
    op: "StringEquals" | "StringLike",
    subs: string[],
  ): Statement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: args.providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition:
      op === "StringEquals"
        ? { StringEquals: { [aud]: STS_AUDIENCE, [sub]: subs } }
        : { StringEquals: { [aud]: STS_AUDIENCE }, StringLike: { [sub]: subs } },
  });
  const exact = rendered(false);
  const patterns = rendered(true);
  const slashes = patterns.flatMap(slashSpanningForms);
  return policyDocument([
    ...(exact.length ? [statement("GithubActionsExactSubjects", "StringEquals", exact)] : []),
    ...(patterns.length ? [statement("GithubActionsSubjectPatterns", "StringLike", patterns)] : []),
    ...(slashes.length
      ? [
          {
            // IAM's `*` also matches `/`, GitHub's does not (File.fnmatch): `package-v*` must not
            // admit a tag `package-v1/x` that no deployment tag policy of GitHub would match.
            Sid: "GithubActionsPatternsStopAtSlash",
            Effect: "Deny" as const,
            Principal: { Federated: args.providerArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringLike: { [sub]: slashes } },
          },
        ]
      : []),
  ]);
}

/**
 * The subjects a pattern admits in IAM but not in GitHub: each `*` spanning a `/`. For
 * `…:ref:refs/tags/package-v*` that is `…:ref:refs/tags/package-v*\/*`; a pattern with several
 * `*` gets one form for each.
 */
export function slashSpanningForms(pattern: string): string[] {
  const forms: string[] = [];
  for (let i = pattern.indexOf("*"); i >= 0; i = pattern.indexOf("*", i + 1)) {
    forms.push(`${pattern.slice(0, i)}*/*${pattern.slice(i + 1)}`);
  }
  return forms;
}
