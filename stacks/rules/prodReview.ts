/**
 * Nobody reaches prod without review: in prod, a role that may change anything or read a secret
 * is reachable only through the stage's own environment, which this stack manages, with at least
 * one required reviewer, self-review prevented, no admin bypass, and deploy refs narrower than
 * "every branch" or "every tag". `delivery:waivers.prodWithoutReview` lets it go, for a reason
 * the plan prints first.
 */
import { GithubRoleAccess, StageAccess, Trigger, githubRoles } from "../access";
import { PROJECT } from "../project";
import type { Stage } from "../stage";

/** The roles whose grants change something or read a secret. */
export function writeRoles(access: StageAccess): GithubRoleAccess[] {
  return githubRoles(access).filter(
    (r) => r.classes.includes("write") || r.classes.includes("secret"),
  );
}

/** A trigger, for messages. */
export function describeTrigger(t: Trigger): string {
  switch (t.kind) {
    case "environment":
      return `a job in the environment ${t.name}`;
    case "branch":
      return `a job on branch ${t.pattern}`;
    case "tag":
      return `a job on tag ${t.pattern}`;
    case "pullRequest":
      return "a pull request";
  }
}

/** What stands between a write role of prod and an unreviewed job; empty outside prod. */
export function prodReviewFindings(stage: Omit<Stage, "warnings">): string[] {
  if (stage.name !== "prod") return [];
  const findings: string[] = [];
  const env = stage.access.environment;
  const writers = writeRoles(stage.access);
  for (const role of writers) {
    for (const edge of role.trustedBy) {
      if (edge.trigger.kind === "environment" && edge.trigger.managed) continue;
      const why =
        edge.trigger.kind === "environment"
          ? `no stack manages the environment ${edge.trigger.name}: GitHub creates it, unprotected, the first time a workflow names it`
          : `such a job does not need the ${env.name} environment, so no reviewer sees it`;
      findings.push(
        `${edge.key}: ${role.principal} may change prod or read its secrets, and ${describeTrigger(edge.trigger)} can assume it; ${why}. Fix: trust only environment:${env.name}, whose protection this stack manages`,
      );
    }
  }
  if (writers.length === 0) return findings;
  const g = `${PROJECT}:github`;
  if (!env.managed) {
    findings.push(
      `${g}.manage: prod's environment ${env.name} is not managed by this stack, so nothing here says who reviews a prod deploy. Fix: set delivery:github.manage: true`,
    );
    return findings;
  }
  if (env.reviewers.length === 0) {
    findings.push(
      `${g}.protection.reviewers: the ${env.name} environment has no required reviewer, so anyone who can run its jobs deploys prod alone. Fix: list GitHub users or teams`,
    );
  }
  if (!env.preventSelfReview) {
    findings.push(
      `${g}.protection.preventSelfReview: whoever starts a prod deploy could approve it. Fix: remove it (prod's default is true)`,
    );
  }
  if (env.canAdminsBypass) {
    findings.push(
      `${g}.protection.canAdminsBypass: repository admins could deploy prod without a review. Fix: remove it (prod's default is false)`,
    );
  }
  if (env.anyRef) {
    const key = env.deployTags.some((p) => /^[*/]+$/.test(p)) ? "deployTags" : "deployBranches";
    findings.push(
      `${g}.${key}: a pattern of only "*" lets every ${key === "deployTags" ? "tag" : "branch"} deploy prod, whoever pushed it. Fix: list the release patterns, e.g. "backend-v*"`,
    );
  }
  return findings;
}
