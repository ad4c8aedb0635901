/** Extra roles: names, a repository whose subjects can be rendered, grants of declared things. */
import { adminClassReason } from "../../lib/adminPolicies";
import { parseArn, policyNameOf } from "../../lib/arns";
import { byKey } from "../../lib/order";
import { PROJECT } from "../project";
import { DeliveryConfig, NAME_PATTERN } from "../schema";
import { Rule, rule } from "./rule";

export const roleRules: readonly Rule[] = [
  rule(["roles", "github"], (c, ctx) => {
    const problems: string[] = [];
    for (const name of ctx.declared.roles) {
      if (!NAME_PATTERN.test(name) || name.length > 24 || name === "deploy") {
        problems.push(
          `${PROJECT}:roles.${name}: role name "${name}" must be lowercase letters, digits and "-" (at most 24) and not "deploy". Fix: e.g. "preview"`,
        );
      }
    }
    const secrets = ctx.declared.secrets;
    const services = ctx.declared.services;
    for (const [name, role] of byKey(c.roles)) {
      const key = `${PROJECT}:roles.${name}`;
      const g = role.grants;
      problems.push(...addedGrantProblems(`${key}.grants`, g, secrets));
      g.pushRepositories.forEach((s, i) => {
        if (!services.has(s))
          problems.push(
            `${key}.grants.pushRepositories[${i}]: service "${s}" is not declared. Fix: use one of ${[...services].join(", ")}`,
          );
      });
      const grantsSomething =
        g.readSecrets.length +
          g.pushRepositories.length +
          g.managedPolicyArns.length +
          g.lambdaFunctions.length >
          0 ||
        g.previewReadOnly ||
        g.cdkBootstrap !== undefined;
      if (!grantsSomething) {
        problems.push(
          `${key}.grants: grants nothing. Fix: set readSecrets, pushRepositories, previewReadOnly: true, managedPolicyArns, cdkBootstrap or lambdaFunctions`,
        );
      }
      const env = `environment:${c.github.environment}`.toLowerCase();
      if (
        role.githubOutput?.scope === "environment" &&
        !role.subjects.some((s) => s.toLowerCase().endsWith(env))
      ) {
        problems.push(
          `${key}.githubOutput: the ARN would go to the environment ${c.github.environment}, but no job there can assume the role (its subjects do not trust environment:${c.github.environment}), and the jobs that can never read that environment. Fix: trust environment:${c.github.environment}, use scope: repository, or remove githubOutput`,
        );
      }
      if (role.githubOutput && !c.github.manage) {
        problems.push(
          `${key}.githubOutput: the stack writes nothing on GitHub while delivery:github.manage is false. Fix: remove it, or set manage: true`,
        );
      }
      if (
        role.githubOutput &&
        role.repository !== undefined &&
        role.repository !== c.github.repository
      ) {
        problems.push(
          `${key}.githubOutput: the role trusts ${role.repository}, but outputs are written to the app repository ${c.github.repository}. Fix: remove it, and give ${role.repository} the ARN from the stack output roleArns.${name}`,
        );
      }
      const ownRepo = role.repository !== undefined && role.repository !== c.github.repository;
      const format = role.subjectFormat ?? c.github.subjectFormat;
      if (ownRepo && format === "immutable" && role.repositoryId === undefined) {
        problems.push(
          `${key}.repositoryId: needed because subjectFormat is immutable and this role trusts ${role.repository}. Fix: set it to \`gh api repos/OWNER/${role.repository} --jq .id\``,
        );
      }
      if (ownRepo && format === "immutable" && c.github.ownerId === undefined) {
        problems.push(
          `${PROJECT}:github.ownerId: needed by roles.${name}'s immutable subjects. Fix: set it to \`gh api repos/OWNER/REPO --jq .owner.id\``,
        );
      }
      if (!ownRepo && role.subjectFormat !== undefined) {
        problems.push(
          `${key}.subjectFormat: this role trusts the app repository, whose format is delivery:github.subjectFormat. Fix: remove it`,
        );
      }
    }
    return problems;
  }),
];

/** What both kinds of role may add: declared secrets, attachable policies. */
function addedGrantProblems(
  key: string,
  g: DeliveryConfig["deployRole"]["grants"],
  secrets: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  g.readSecrets.forEach((s, i) => {
    if (!secrets.has(s))
      problems.push(
        `${key}.readSecrets[${i}]: secret "${s}" is not declared. Fix: add it under delivery:secrets`,
      );
  });
  const byName = new Map<string, string>();
  g.managedPolicyArns.forEach((arn, i) => {
    const name = policyNameOf(arn);
    if (byName.has(name)) {
      problems.push(
        `${key}.managedPolicyArns[${i}]: a second policy named ${name} (the other is ${byName.get(name)}); attachments are keyed by policy name. Fix: attach one of them only`,
      );
    }
    byName.set(name, arn);
    const admin = adminClassReason(arn);
    if (admin) {
      problems.push(
        `${key}.managedPolicyArns[${i}]: ${name} is an admin-class AWS-managed policy: it ${admin}, so whoever can start a job that assumes the role owns the account. Fix: attach a policy with exactly the actions the job needs`,
      );
    } else if (parseArn(arn)?.account === "aws") {
      // AWS-managed policies grant on every resource of the account: the other stage's too.
      problems.push(
        `${key}.managedPolicyArns[${i}]: ${name} is AWS-managed, and AWS-managed policies grant their actions on every resource of the account, so a job of this stage would reach the other stage's repositories, secrets and services wherever both share an account. Fix: attach a customer-managed policy scoped to this stage's resources`,
      );
    }
  });
  return problems;
}

export const deployRoleGrantRules: readonly Rule[] = [
  rule(["deployRole", "secrets"], (c, ctx) =>
    addedGrantProblems(`${PROJECT}:deployRole.grants`, c.deployRole.grants, ctx.declared.secrets),
  ),
];
