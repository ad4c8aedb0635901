/**
 * Reading a role's trust towards GitHub Actions: which statements federate through GitHub's OIDC
 * issuer, what their `sub` values admit (an environment, a branch or tag, a pull request, or
 * anything), and what is wrong with them.
 */
import { GITHUB_OIDC_HOST, STS_AUDIENCE } from "../lib/subjects";
import { isObject } from "../lib/json";
import { Trigger, matchesAnyRef } from "../stacks/access";
import { describeTrigger } from "../stacks/rules/prodReview";
import {
  Json,
  RESTRICTING_OPERATORS,
  WILDCARD,
  conditionValues,
  list,
  sidOf,
  statementsOf,
} from "./read";

/** Kinds of the `context` claim, which GitHub always writes last. */
const CONTEXT_KINDS = new Set(["environment", "ref", "pull_request"]);
const GITHUB_NAME = "[A-Za-z0-9_.-]+";
const REPO_CLAIM = new RegExp(`^${GITHUB_NAME}(@\\d+)?/${GITHUB_NAME}(@\\d+)?$`);
const REPOSITORY_CLAIM = new RegExp(`^${GITHUB_NAME}/${GITHUB_NAME}$`);
export const EXAMPLE_SUBJECT = "repo:<owner>/<repo>:environment:<name>";

/** The claims of a `sub` value before its context, and the context (`environment:prod`, ...). */
interface SubjectClaims {
  readonly claims: ReadonlyMap<string, string>;
  /** From the first context kind (or a wildcard in place of a key) to the end. */
  readonly context?: string;
  /** A claim key the value ends in, without its value. */
  readonly dangling?: string;
}

/** Splits a `sub` value into `key:value` claims and the context GitHub writes last. */
function subjectClaims(sub: string): SubjectClaims {
  const tokens = sub.split(":");
  const claims = new Map<string, string>();
  for (let i = 0; i < tokens.length; i += 2) {
    const key = tokens[i];
    if (CONTEXT_KINDS.has(key) || WILDCARD.test(key)) {
      return { claims, context: tokens.slice(i).join(":") };
    }
    if (i + 1 >= tokens.length) return { claims, dangling: key };
    claims.set(key, tokens[i + 1]);
  }
  return { claims };
}

/**
 * What is wrong with one `sub` value, or undefined. The value must name exactly one repository
 * with literal text: `repo:<owner>/<repo>:` (or `repo:<owner>@<id>/<repo>@<id>:` for immutable
 * subjects), or a customized claim template with a literal `repository:<owner>/<repo>` or
 * `repository_id:<id>` claim; and it must end in a context (environment, ref or pull_request). A
 * wildcard may only stand inside a branch or tag name, never in place of a repository, an
 * environment or the whole context.
 */
export function subjectProblem(sub: string): string | undefined {
  const shown = `sub "${sub}"`;
  if (sub.trim() === "" || /^[*?]+$/.test(sub.trim())) {
    return `${shown} admits every repository on GitHub. Fix: name one repository, e.g. "${EXAMPLE_SUBJECT}"`;
  }
  const { claims, context, dangling } = subjectClaims(sub);
  if (dangling !== undefined) {
    return `${shown} ends in claim "${dangling}" without a value, so it names no repository and context GitHub would issue. Fix: write "${EXAMPLE_SUBJECT}"`;
  }
  for (const [key, value] of claims) {
    if (WILDCARD.test(value)) {
      const example =
        key === "repo"
          ? ` ("repo:acme/*" admits every repository of acme, "repo:acme/app*" also admits acme/app-evil)`
          : "";
      const admits = key.startsWith("repo") ? "other repositories" : "tokens nobody reviewed";
      return `${shown} has a wildcard in its ${key} claim, which admits ${admits}${example}. Fix: name one repository literally and use exact claims, e.g. "${EXAMPLE_SUBJECT}"`;
    }
  }
  const repo = claims.get("repo");
  const repository = claims.get("repository");
  const repositoryId = claims.get("repository_id");
  const named =
    (repo !== undefined && REPO_CLAIM.test(repo)) ||
    (repository !== undefined && REPOSITORY_CLAIM.test(repository)) ||
    (repositoryId !== undefined && /^\d+$/.test(repositoryId));
  if (!named) {
    return `${shown} names no single repository (no literal repo:<owner>/<repo>, repository:<owner>/<repo> or repository_id:<id> claim), so any repository's token with the same context matches. Fix: start it with "repo:<owner>/<repo>:", or include "repo" or "repository_id" in the subject claim template`;
  }
  if (context === undefined || context === "") {
    return `${shown} has no context (environment, ref or pull_request), so every workflow run of the repository matches, including pull requests. Fix: end it with e.g. ":environment:<name>" or ":ref:refs/heads/main"`;
  }
  // A pattern may only stand inside a branch or tag name: `ref:refs/tags/backend-v*`, or
  // `ref:refs/tags/*` for teams that deploy every release tag. Everywhere else it admits other
  // environments (the other stage's), every ref, or pull requests.
  if (WILDCARD.test(context) && !/^ref:refs\/(heads|tags)\/./.test(context)) {
    return `${shown} has a wildcard in its context "${context}", which admits other environments, refs or pull requests (e.g. the other stage's environment). Fix: list exact contexts such as "environment:production"; patterns only inside a branch or tag name, e.g. "ref:refs/tags/backend-v*"`;
  }
  return undefined;
}

/** Principals of a statement that federate through GitHub's OIDC issuer. */
export function trustsGithub(statement: Json): boolean {
  const principal = statement.Principal;
  return isObject(principal) && list(principal.Federated).some((f) => f.includes(GITHUB_OIDC_HOST));
}

/** The Federated principals of a statement. */
export function federatedOf(statement: Json): string[] {
  const principal = statement.Principal;
  return isObject(principal) ? list(principal.Federated) : [];
}

/**
 * GitHub's OIDC provider in one account: `…:oidc-provider/token.actions.githubusercontent.com`,
 * or with an enterprise's own issuer path (`/<enterprise>`). A host that merely contains it
 * (`token.actions.githubusercontent.com.example.net`) is another issuer.
 */
export const isGithubProviderArn = (arn: string): boolean =>
  /^arn:[a-z-]+:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com(\/[A-Za-z0-9_.-]+)?$/.test(
    arn,
  );

const githubClaim = (claim: "aud" | "sub") => (key: string) =>
  key.startsWith(GITHUB_OIDC_HOST) && key.endsWith(`:${claim}`);

/** The `sub` values a statement restricts its tokens to; undefined when it has no such condition. */
const subValues = (s: Json) =>
  conditionValues(s, (op) => RESTRICTING_OPERATORS.has(op), githubClaim("sub"));

/** Problems of a role's trust policy towards GitHub Actions; none for roles that do not trust it. */
export function githubTrustProblems(trustPolicy: unknown): string[] {
  const parsed = statementsOf(trustPolicy);
  if ("problem" in parsed) {
    return [
      `the trust policy ${parsed.problem}, so who may assume the role cannot be checked. Fix: pass a JSON policy document (build it as an object and JSON.stringify it)`,
    ];
  }
  const problems: string[] = [];
  parsed.statements.forEach((s, i) => {
    if (s.Effect !== "Allow" || !trustsGithub(s)) return;
    const where = `trust ${sidOf(s, i)}`;
    const aud = conditionValues(s, (op) => op === "stringequals", githubClaim("aud"));
    if (!aud || aud.length === 0 || aud.some((v) => v !== STS_AUDIENCE)) {
      problems.push(
        `${where} does not require aud = ${STS_AUDIENCE} with StringEquals, so tokens GitHub minted for another audience are accepted. Fix: add "Condition": { "StringEquals": { "${GITHUB_OIDC_HOST}:aud": "${STS_AUDIENCE}" } }`,
      );
    }
    const sub = subValues(s);
    if (!sub || sub.length === 0) {
      problems.push(
        `${where} has no sub condition, so a workflow in any repository on GitHub can assume this role (CKV_AWS_358). Fix: add "StringEquals": { "${GITHUB_OIDC_HOST}:sub": "${EXAMPLE_SUBJECT}" }`,
      );
      return;
    }
    for (const value of sub) {
      const problem = subjectProblem(value);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// What a trust admits.

/** The repository a `sub` value names: by name, by id, or both (immutable subjects). */
export interface RepositoryClaim {
  readonly owner?: string;
  readonly repository?: string;
  readonly ownerId?: string;
  readonly repositoryId?: string;
  /** A wildcard stands in a repository claim: other repositories match too. */
  readonly wildcard: boolean;
}

/**
 * One kind of job that can assume the role: a job in an environment, on a branch or tag, a pull
 * request; or `anything` when the `sub` is missing or a pattern admits every context.
 */
export type Admission = { readonly sub?: string; readonly repo: RepositoryClaim } & (
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "branch" | "tag"; readonly pattern: string; readonly any: boolean }
  | { readonly kind: "pullRequest" }
  | { readonly kind: "anything"; readonly why: string }
);

/** The repository claim of a subject's claims (`repo`, `repository`, `repository_id`, ...). */
function repositoryClaim(claims: ReadonlyMap<string, string>): RepositoryClaim {
  let owner = claims.get("repository_owner");
  let repository: string | undefined;
  let ownerId = claims.get("repository_owner_id");
  let repositoryId = claims.get("repository_id");
  const repo = /^([^/@]+)(?:@([^/]*))?\/([^/@]+)(?:@(.*))?$/.exec(
    claims.get("repo") ?? claims.get("repository") ?? "",
  );
  if (repo) {
    owner = repo[1];
    ownerId = repo[2] ?? ownerId;
    repository = repo[3];
    repositoryId = repo[4] ?? repositoryId;
  }
  const wildcard = [...claims]
    .filter(([key]) => key.startsWith("repo"))
    .some(([, value]) => WILDCARD.test(value));
  return { owner, repository, ownerId, repositoryId, wildcard };
}

/** What one `sub` value admits. */
export function admissionOf(sub: string): Admission {
  const { claims, context } = subjectClaims(sub);
  const repo = repositoryClaim(claims);
  const anything = (why: string): Admission => ({ sub, repo, kind: "anything", why });
  if (wildcardOnlyText(sub) || context === undefined || context === "") {
    return anything(`every workflow run that sub "${sub}" admits, pull requests included`);
  }
  if (context === "pull_request") return { sub, repo, kind: "pullRequest" };
  const environment = /^environment:(.+)$/.exec(context);
  if (environment && !WILDCARD.test(environment[1])) {
    return { sub, repo, kind: "environment", name: environment[1] };
  }
  const ref = /^ref:refs\/(heads|tags)\/(.+)$/.exec(context);
  if (ref) {
    return {
      sub,
      repo,
      kind: ref[1] === "tags" ? "tag" : "branch",
      pattern: ref[2],
      any: matchesAnyRef(ref[2]),
    };
  }
  return anything(
    `every job that sub "${sub}" admits (its context "${context}" is a pattern: other environments, every ref and pull requests)`,
  );
}

const wildcardOnlyText = (text: string) => text.trim() === "" || /^[*?]+$/.test(text.trim());

/** What a role's trust policy admits from GitHub Actions. */
export interface GithubTrust {
  readonly admissions: readonly Admission[];
  /** Every Federated principal of its Allow statements, GitHub's and any other. */
  readonly federated: readonly string[];
}

/** The role's trust towards GitHub Actions, or undefined when it does not trust GitHub. */
export function githubTrustOf(trustPolicy: unknown): GithubTrust | undefined {
  const parsed = statementsOf(trustPolicy);
  if ("problem" in parsed) return undefined;
  const allows = parsed.statements.filter((s) => s.Effect === "Allow");
  const github = allows.filter(trustsGithub);
  if (github.length === 0) return undefined;
  const noRepo: RepositoryClaim = { wildcard: true };
  const admissions = github.flatMap((s): Admission[] => {
    const subs = subValues(s);
    if (!subs || subs.length === 0) {
      return [
        {
          repo: noRepo,
          kind: "anything",
          why: "a workflow of any repository on GitHub (a trust statement has no sub condition)",
        },
      ];
    }
    return subs.map(admissionOf);
  });
  return { admissions, federated: [...new Set(allows.flatMap(federatedOf))] };
}

/** The trigger of the access model an admission stands for, when it is one. */
function triggerOf(a: Admission, managed: boolean): Trigger | undefined {
  switch (a.kind) {
    case "environment":
      return { kind: "environment", name: a.name, managed };
    case "branch":
    case "tag":
      return { kind: a.kind, pattern: a.pattern, any: a.any };
    case "pullRequest":
      return { kind: "pullRequest" };
    case "anything":
      return undefined;
  }
}

/** Who an admission lets in, for messages (the access model's wording where it has one). */
export function describeAdmission(a: Admission, managed = false): string {
  const trigger = triggerOf(a, managed);
  const who = trigger ? describeTrigger(trigger) : a.kind === "anything" ? a.why : "";
  return a.sub !== undefined && a.kind !== "anything" ? `${who} (sub "${a.sub}")` : who;
}
