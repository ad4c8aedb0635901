/**
 * In any stage, a role that every pull request, every branch or every tag can assume gets
 * read-only grants only: anyone who can push a branch or open a pull request (including an
 * untested change) gets its token. Not waivable.
 */
import { PROJECT } from "../project";
import { StageRule } from "./rule";
import { describeTrigger, writeRoles } from "./prodReview";

/** Why an exposed role must be read-only, and how to fix it: the config rule's and the pack's. */
export const EXPOSED_ROLE_FIX =
  "only read-only roles may be that exposed. Fix: trust an environment or exact refs here, or give the role read-only grants (a separate read-only role for previews)";

export const exposedRoleRules: readonly StageRule[] = [
  (stage) => {
    const env = stage.access.environment;
    const reviewed = env.managed && env.reviewers.length > 0;
    return writeRoles(stage.access).flatMap((role) =>
      role.trustedBy.flatMap((edge) => {
        const t = edge.trigger;
        const exposed =
          t.kind === "pullRequest" ||
          ((t.kind === "branch" || t.kind === "tag") && t.any) ||
          // An environment that every ref may use, with nobody reviewing, is no better.
          (t.kind === "environment" && t.managed && env.anyRef && !reviewed);
        if (!exposed) return [];
        const who =
          t.kind === "environment"
            ? `every branch or tag may run jobs in the environment ${t.name} and nobody reviews them`
            : `${describeTrigger(t)} can assume it, and anyone who can push one or open one gets in`;
        return [
          `${edge.key}: ${role.principal} may change something or read a secret, but ${who}; ${EXPOSED_ROLE_FIX}`,
        ];
      }),
    );
  },
];

/**
 * A prod role that may change something or read a secret keeps its ARN in the environment: a
 * repository-wide output hands it to every workflow of the repository. The ARN is no credential
 * (the trust still decides), but it advertises the role to jobs that must never ask for it.
 */
export const roleOutputRules: readonly StageRule[] = [
  (stage) => {
    if (stage.name !== "prod") return [];
    const writers = new Set(writeRoles(stage.access).map((r) => r.principal));
    const { secrets, variables } = stage.names.github.repository;
    return [...Object.values(secrets), ...Object.values(variables)].flatMap((key) => {
      const role = stage.roles.find((r) => r.key === key);
      return role && writers.has(role.name)
        ? [
            `${PROJECT}:roles.${key}.githubOutput.scope: ${role.name} may change prod or read its secrets, so its ARN stays in the reviewed environment, not in every workflow of the repository. Fix: scope: environment`,
          ]
        : [];
    });
  },
];
