/** Extra roles: names, a repository whose subjects can be rendered, grants of declared things. */
import { byKey } from "../../lib/order";
import { PROJECT } from "../project";
import { NAME_PATTERN } from "../schema";
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
      g.readSecrets.forEach((s, i) => {
        if (!secrets.has(s))
          problems.push(
            `${key}.grants.readSecrets[${i}]: secret "${s}" is not declared. Fix: add it under delivery:secrets`,
          );
      });
      g.pushRepositories.forEach((s, i) => {
        if (!services.has(s))
          problems.push(
            `${key}.grants.pushRepositories[${i}]: service "${s}" is not declared. Fix: use one of ${[...services].join(", ")}`,
          );
      });
      if (g.readSecrets.length === 0 && g.pushRepositories.length === 0 && !g.previewReadOnly) {
        problems.push(
          `${key}.grants: grants nothing. Fix: set readSecrets, pushRepositories or previewReadOnly: true`,
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
