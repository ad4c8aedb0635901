/**
 * What the owner's GitHub plan lets the stack write on the app repository (`lib/githubPlans.ts`):
 * GitHub refuses, or silently drops, environments, reviewers, wait timers and rulesets the plan
 * does not offer for the repository's visibility. And the rulesets must let the program's own
 * commits through.
 */
import { GATED_FEATURES, Feature, GithubPlan, offers } from "../../lib/githubPlans";
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

const at = `${PROJECT}:github`;

const PLAN_NAMES: Readonly<Record<GithubPlan, string>> = {
  free: "GitHub Free",
  pro: "GitHub Pro",
  team: "GitHub Team",
  enterprise: "GitHub Enterprise",
};

export const githubPlanRules: readonly Rule[] = [
  rule(["github"], (c) => {
    const g = c.github;
    if (!g.manage) return [];
    const problems: string[] = [];
    const lacks = (feature: Feature) => !offers(g.plan, g.visibility, feature);
    /** "<plan> offers no <feature> on a <visibility> repository; only <plans> do (<source>)". */
    const lacking = (feature: Feature) => {
      const f = GATED_FEATURES[feature];
      return `${PLAN_NAMES[g.plan]} (github.plan) offers no ${f.what} on a ${g.visibility} repository (github.visibility); only ${f.privateOn.map((p) => PLAN_NAMES[p]).join(", ")} do (${f.source}), so GitHub would refuse it`;
    };

    if (g.visibility === "internal" && g.plan !== "enterprise") {
      problems.push(
        `${at}.visibility: internal repositories exist only on GitHub Enterprise, but github.plan is ${g.plan}. Fix: give the repository's real visibility, or set plan: enterprise`,
      );
      return problems;
    }
    if (lacks("environments")) {
      problems.push(
        `${at}.plan: ${lacking("environments")}. Fix: state the owner's real plan and the repository's visibility, make the repository public, or set manage: false`,
      );
      return problems;
    }
    if (lacks("protectionRules")) {
      const fix =
        "Fix: set github.plan: enterprise if the owner is on it, or github.visibility: public if the repository is; otherwise remove it (prod then needs delivery:waivers.prodWithoutReview, with the reason)";
      const p = g.protection;
      for (const [key, set] of [
        ["protection.reviewers.users", p.reviewers.users.length > 0],
        ["protection.reviewers.teams", p.reviewers.teams.length > 0],
        ["protection.waitTimerMinutes", p.waitTimerMinutes > 0],
      ] as const) {
        if (set) {
          problems.push(`${at}.${key}: ${lacking("protectionRules")}. ${fix}`);
        }
      }
    }
    const r = g.rulesets;
    const refs = g.deployTags.length + g.deployBranches.length > 0;
    if (r.enabled && refs && lacks("rulesets")) {
      problems.push(
        `${at}.rulesets.enabled: ${lacking("rulesets")}. Fix: state the owner's real plan and the repository's visibility, or set enabled: false`,
      );
    }
    const bypassed = r.bypass.roles.length + r.bypass.teams.length + r.bypass.apps.length > 0;
    if (r.enabled && g.commitWorkflows && g.deployBranches.length > 0 && !bypassed) {
      problems.push(
        `${at}.rulesets.bypass: the program commits its workflow files straight to the default branch (commitWorkflows), but the deploy branches' ruleset lets nobody push without a pull request, so GitHub would refuse those commits. Fix: list the role, team or GitHub App the program's token acts as (e.g. roles: [admin]), or set commitWorkflows: false`,
      );
    }
    return problems;
  }),
];
