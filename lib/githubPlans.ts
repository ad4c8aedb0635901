/**
 * What GitHub's plans let a repository use, by its visibility: the one table the config rules,
 * the summary and the README read. A feature GitHub does not offer is refused at config time,
 * because the API would refuse it (or ignore it) midway through `pulumi up`.
 */

/** The plans of a repository's owner (Pro is a user's plan, Team an organization's). */
export const GITHUB_PLANS = ["free", "pro", "team", "enterprise"] as const;
export type GithubPlan = (typeof GITHUB_PLANS)[number];

export const REPOSITORY_VISIBILITIES = ["public", "private", "internal"] as const;
export type RepositoryVisibility = (typeof REPOSITORY_VISIBILITIES)[number];

/** A GitHub feature the stack may write, gated by plan and visibility. */
export interface GatedFeature {
  /** For messages: "environments, their secrets and deployment branch policies". */
  readonly what: string;
  /** The plans that offer it on private and internal repositories (every plan offers it on public ones). */
  readonly privateOn: readonly GithubPlan[];
  readonly source: string;
}

export const GATED_FEATURES = {
  environments: {
    what: "environments, their secrets and their deployment branch and tag policies",
    privateOn: ["pro", "team", "enterprise"],
    source:
      "docs.github.com, Managing environments for deployment: on private or internal repositories, GitHub Pro, Team or Enterprise",
  },
  protectionRules: {
    what: "required reviewers and wait timers on an environment",
    privateOn: ["enterprise"],
    source:
      "docs.github.com, Managing environments for deployment: other protection rules (required reviewers, wait timer) on private or internal repositories need GitHub Enterprise",
  },
  rulesets: {
    what: "repository rulesets",
    privateOn: ["pro", "team", "enterprise"],
    source:
      "docs.github.com, About rulesets: public repositories on GitHub Free, public and private ones on Pro, Team and Enterprise Cloud",
  },
} as const satisfies Record<string, GatedFeature>;

export type Feature = keyof typeof GATED_FEATURES;

/** Whether the owner's plan offers the feature on a repository of this visibility. */
export function offers(
  plan: GithubPlan,
  visibility: RepositoryVisibility,
  feature: Feature,
): boolean {
  return (
    visibility === "public" ||
    (GATED_FEATURES[feature].privateOn as readonly string[]).includes(plan)
  );
}

/**
 * The base repository roles a ruleset's bypass list may name, with GitHub's actor ids for them
 * (terraform-provider-github docs, repository_ruleset: bypass_actors; REST API "Create a
 * repository ruleset", actor_type RepositoryRole).
 */
export const BYPASS_ROLES = ["maintain", "write", "admin"] as const;
export type BypassRole = (typeof BYPASS_ROLES)[number];
export const BYPASS_ROLE_IDS: Readonly<Record<BypassRole, number>> = {
  maintain: 2,
  write: 4,
  admin: 5,
};

/** What each gated feature needs on a private or internal repository, in words. */
export function gatedFeaturesText(): string {
  return Object.values(GATED_FEATURES)
    .map((f: GatedFeature) => `${f.what}: ${f.privateOn.map((p) => `\`${p}\``).join(", ")}`)
    .join("; ");
}
