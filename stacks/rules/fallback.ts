/** Break-glass keys: off by default, never silently in prod, always watched. */
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const fallbackRules: readonly Rule[] = [
  rule(["fallback", "github", "services", "deployRole"], (c, ctx) => {
    if (!c.fallback.enabled) return [];
    const problems: string[] = [];
    if (ctx.declared.services.size === 0) {
      problems.push(
        `${PROJECT}:fallback.enabled: the break-glass user holds the deploy role's grants, and a stage without services has no deploy role. Fix: remove the fallback, or declare the services it deploys`,
      );
    }
    if (ctx.stage === "prod" && !c.fallback.allowInProd) {
      problems.push(
        `${PROJECT}:fallback.enabled: long-lived access keys for prod are refused unless explicitly allowed. Fix: use OIDC (AWS_ROLE_ARN); if you must, also set delivery:fallback.allowInProd: true`,
      );
    }
    if (c.deployRole.grants.cdkBootstrap !== undefined) {
      problems.push(
        `${PROJECT}:fallback.enabled: the break-glass user copies the deploy role's grants, and its CDK bootstrap grant is admin-equivalent (the bootstrap's execution role has AdministratorAccess by default): long-lived keys must not carry it. Fix: give cdkBootstrap to an extra role (delivery:roles), or disable the fallback`,
      );
    }
    if (c.fallback.alarmEmails.length === 0) {
      problems.push(
        `${PROJECT}:fallback.alarmEmails: nobody would hear when the break-glass keys are used. Fix: list at least one e-mail address`,
      );
    }
    if (c.fallback.trailArn === undefined) {
      problems.push(
        `${PROJECT}:fallback.trailArn: the keys' use is detected from CloudTrail, and EventBridge sees API calls only while a trail with logging on records the account's management events in this region. Fix: give the ARN of that trail (multi-region, or in this region; see \`aws cloudtrail describe-trails\`), or create one first`,
      );
    }
    if (!c.github.manage) {
      problems.push(
        `${PROJECT}:fallback.enabled: the keys go only to the GitHub environment's secrets, which this stack does not manage. Fix: set delivery:github.manage: true or disable the fallback`,
      );
    }
    return problems;
  }),
];
