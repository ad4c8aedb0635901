/**
 * The stage's GitHub environment: refs that can deploy, reviewers, settings that only mean
 * something while the stack manages the environment, secret and variable names GitHub accepts.
 */
import { credentialKind, isSecretLikeName } from "../../lib/credentials";
import {
  FIXED_NAMES,
  GITHUB_NAME_PATTERN,
  ROLE_ARN_SECRET,
  GITHUB_VARIABLE_MAX_BYTES,
  SERVICES_VARIABLE,
  ServiceField,
  reservedNames,
  serviceFields,
  servicesVariableValue,
} from "../../lib/variables";
import { byKey } from "../../lib/order";
import { RELEASE_TAG_PATTERN, serviceDeployRefs } from "../../lib/workflows";
import { STAGE_DEFAULTS } from "../defaults";
import { PROJECT } from "../project";
import { isPlaced, serviceRun } from "../stage";
import { Rule, StageRule, rule } from "./rule";

const at = `${PROJECT}:github`;

/**
 * Names the program keeps for its own outputs whatever the services are called (the deploy role's
 * default secret, the compact layout's variable, the break-glass keys), which a name config gives
 * may not take; nor may a variable repeat a secret's name (read as `vars.X`, it would look like
 * the secret).
 */
function ownNameProblem(
  name: string,
  secrets: Readonly<Record<string, unknown>>,
  /** The deploy role's own output may keep the default name as a variable: no secret has it then. */
  forDeployRole = false,
): string | undefined {
  const taken = Object.entries(FIXED_NAMES).find(
    ([n]) => n.toUpperCase() === name.toUpperCase() && !(forDeployRole && n === ROLE_ARN_SECRET),
  );
  if (taken) return `${name} is the program's own name for ${taken[1]}. Fix: choose another name`;
  const secret = Object.keys(secrets).find((n) => n.toUpperCase() === name.toUpperCase());
  return secret
    ? `${name} is also the name of the environment secret ${PROJECT}:github.secrets.${secret}. Fix: choose another name`
    : undefined;
}

export const githubEnvironmentRules: readonly Rule[] = [
  rule(["github"], (c, ctx) => {
    const problems: string[] = [];
    const d = STAGE_DEFAULTS[ctx.stage];
    const g = c.github;
    if (g.deployBranches.length + g.deployTags.length === 0) {
      problems.push(
        `${at}.deployTags: the ${ctx.stage} environment admits no branch or tag, so nothing could deploy. Fix: list tag patterns (e.g. "backend-v*") or branches in deployBranches`,
      );
    }
    g.deployBranches.forEach((ref, i) => {
      if (ref.startsWith("refs/") || ref.includes(":")) {
        problems.push(
          `${at}.deployBranches[${i}]: "${ref}" must be a branch name or pattern, not a ref. Fix: e.g. "main"`,
        );
      }
    });
    g.deployTags.forEach((ref, i) => {
      if (ref.startsWith("refs/") || ref.includes(":")) {
        problems.push(
          `${at}.deployTags[${i}]: "${ref}" must be a tag name or pattern, not a ref. Fix: e.g. "backend-v*"`,
        );
      }
    });
    if (!g.manage) {
      for (const [key, on] of [
        ["subjectClaims.manage", g.subjectClaims?.manage === true],
        ["commitWorkflows", g.commitWorkflows],
      ] as const) {
        if (on) {
          problems.push(
            `${at}.${key}: has no effect while delivery:github.manage is false. Fix: remove it, or set manage: true`,
          );
        }
      }
    }
    if (g.environment.toLowerCase() === d.otherStageEnvironment) {
      problems.push(
        `${at}.environment: "${g.environment}" is the other stage's environment. Fix: use "${d.githubEnvironment}"`,
      );
    }
    // Who reviews prod is an invariant over the access model (prodReview.ts).
    const p = g.protection;
    const reviewerCount = p.reviewers.users.length + p.reviewers.teams.length;
    if (reviewerCount > 6) {
      problems.push(
        `${at}.protection.reviewers: GitHub allows at most 6 required reviewers, got ${reviewerCount}. Fix: use a team`,
      );
    }
    return problems;
  }),

  // Environment secrets and variables: GitHub's names, not the program's own.
  rule(["github"], (c, ctx) => {
    const problems: string[] = [];
    const reserved = reservedNames([...ctx.declared.services]);
    /** A GitHub secret or variable name that GitHub refuses or that the program writes itself. */
    const nameProblem = (kind: "secrets" | "variables", name: string, example: string) =>
      !GITHUB_NAME_PATTERN.test(name)
        ? `${at}.${kind}.${name}: not a GitHub ${kind.slice(0, -1)} name (letters, digits, _; not GITHUB_). Fix: e.g. ${example}`
        : reserved.has(name.toUpperCase())
          ? `${at}.${kind}.${name}: written by the program from the real resources. Fix: remove it`
          : undefined;
    for (const name of Object.keys(c.github.secrets)) {
      const problem = nameProblem("secrets", name, "DATABASE_URL");
      if (problem) problems.push(problem);
    }
    for (const name of Object.keys(c.github.variables)) {
      const problem = nameProblem("variables", name, "APP_URL");
      if (problem) {
        problems.push(problem);
      } else if (isSecretLikeName(name) || credentialKind(String(c.github.variables[name]))) {
        const kind = credentialKind(String(c.github.variables[name]));
        problems.push(
          `${at}.variables.${name}: ${kind ? `holds what looks like ${kind}` : "looks like a secret by its name"}, and variables are readable by anyone with repository access. Fix: move it to delivery:github.secrets`,
        );
      }
      // docs.github.com, Store information in variables: individual variables are limited to 48 KB.
      const bytes = Buffer.byteLength(String(c.github.variables[name]), "utf8");
      if (bytes > GITHUB_VARIABLE_MAX_BYTES) {
        problems.push(
          `${at}.variables.${name}: the value is ${bytes} bytes; a GitHub variable holds at most 48 KB. Fix: shorten it`,
        );
      }
      if (Object.hasOwn(c.github.secrets, name)) {
        problems.push(`${at}.variables.${name}: also a secret. Fix: keep it only under secrets`);
      }
    }
    return problems;
  }),

  // A service's own variable names: only where the stage writes that variable.
  rule(["github", "services", "ecs", "deployRole"], (c) => {
    const problems: string[] = [];
    for (const [key, svc] of byKey(c.services)) {
      const own = svc.variableNames;
      if (!own) continue;
      const where = `${PROJECT}:services.${key}.variableNames`;
      if (!c.github.manage) {
        problems.push(
          `${where}: the stack writes no variables while ${at}.manage is false. Fix: remove it, or set manage: true`,
        );
      } else if (c.github.variableLayout === "compact") {
        problems.push(
          `${where}: the compact layout writes one ${SERVICES_VARIABLE} variable, not one per field. Fix: remove it, or set ${at}.variableLayout: flat`,
        );
      }
      if (own.service !== undefined && !isPlaced(c.ecs, svc)) {
        problems.push(
          `${where}.service: the service does not run on the stage's cluster (no network and no existingServiceName), so there is no service name to write. Fix: remove it`,
        );
      }
      if (own.cluster !== undefined && c.ecs.cluster === undefined) {
        problems.push(`${where}.cluster: the stage has no cluster. Fix: remove it`);
      }
      // An image's refused fields are typed as never: only names that are set are names.
      for (const [field, name] of Object.entries(own as Record<string, string | undefined>)) {
        if (name === undefined) continue;
        const problem = ownNameProblem(name, c.github.secrets);
        if (problem) problems.push(`${where}.${field}: ${problem}`);
      }
    }
    // The deploy role's ARN under another name: not one the program writes for something else.
    const output = c.deployRole.githubOutput;
    if (output.name !== ROLE_ARN_SECRET || output.kind !== "secret") {
      const problem = ownNameProblem(
        output.name,
        output.kind === "variable" ? c.github.secrets : {},
        true,
      );
      if (problem) problems.push(`${PROJECT}:deployRole.githubOutput.name: ${problem}`);
    }
    return problems;
  }),

  // Subject format: ids when GitHub puts them in `sub`, a claim template trust policies can read.
  rule(["github"], (c) => {
    const problems: string[] = [];
    const g = c.github;
    const keys = g.subjectClaims?.includeClaimKeys ?? [];
    const immutable = g.subjectFormat === "immutable";
    if (immutable || keys.includes("repository_id") || keys.includes("repository_owner_id")) {
      const why = immutable ? "subjectFormat immutable" : "the claim keys";
      if (g.ownerId === undefined) {
        problems.push(
          `${at}.ownerId: needed by ${why}. Fix: set it to \`gh api repos/OWNER/REPO --jq .owner.id\``,
        );
      }
      if (g.repositoryId === undefined) {
        problems.push(
          `${at}.repositoryId: needed by ${why}. Fix: set it to \`gh api repos/OWNER/REPO --jq .id\``,
        );
      }
    }
    if (keys.length > 0) {
      const where = `${at}.subjectClaims.includeClaimKeys`;
      if (keys[keys.length - 1] !== "context" || keys.indexOf("context") !== keys.length - 1) {
        problems.push(
          `${where}: "context" must appear once, last, so trust policies can tell environments apart and a pattern never spans another claim. Fix: e.g. [repo, context]`,
        );
      }
      if (!keys.some((k) => k === "repo" || k === "repository" || k === "repository_id")) {
        problems.push(
          `${where}: names no repository, so any repository's token with the same context would match. Fix: include "repo", "repository" or "repository_id"`,
        );
      }
    }
    return problems;
  }),
];

export const githubEnvironmentStageRules: readonly StageRule[] = [
  // The compact layout's one variable must still fit GitHub's 48 KB per variable.
  (stage) => {
    if (!stage.github.manage || stage.names.github.layout !== "compact") return [];
    const value = servicesVariableValue(
      stage.services.map((svc) => {
        const n = svc.names;
        const all: Partial<Record<ServiceField, string>> =
          n.kind === "image"
            ? { repository: n.repository }
            : {
                repository: n.repository,
                service: n.service,
                taskDefinition: n.family,
                containerName: n.container,
                logGroup: n.logGroup,
              };
        return {
          key: svc.key,
          fields: Object.fromEntries(
            serviceFields(serviceRun(stage.ecs, svc)).map((f) => [f, all[f]]),
          ),
        };
      }),
    );
    const bytes = Buffer.byteLength(value, "utf8");
    return bytes > GITHUB_VARIABLE_MAX_BYTES
      ? [
          `${at}.variableLayout: the ${SERVICES_VARIABLE} variable would be ${bytes} bytes for ${stage.services.length} services; a GitHub variable holds at most 48 KB. Fix: split the services over more stacks (delivery:stage lets any stack name be a stage)`,
        ]
      : [];
  },
];

/**
 * Each service's deploy refs: ones the environment admits, at least one, and (for releases) tags
 * a job condition can match.
 */
export const deployRefRules: readonly Rule[] = [
  rule(["github", "services"], (c) => {
    const problems: string[] = [];
    const g = c.github;
    const release = g.deployEvents.includes("release");
    g.deployTags.forEach((t, i) => {
      if (release && !RELEASE_TAG_PATTERN.test(t)) {
        problems.push(
          `${at}.deployTags[${i}]: "${t}" cannot be matched against a release's tag (a release event has no tag filter; the workflow checks the tag by prefix). Fix: use a literal tag or "<prefix>*", or deployEvents: [push]`,
        );
      }
    });
    if (release && g.deployTags.length === 0) {
      problems.push(
        `${at}.deployEvents: a release deploys through its tag, and the environment admits no tag. Fix: list the release tags in deployTags, e.g. "v*"`,
      );
    }
    for (const [svc, s] of byKey(c.services)) {
      const key = `${PROJECT}:services.${svc}.deployOn`;
      for (const [kind, own, admitted] of [
        ["tags", s.deployOn?.tags, g.deployTags],
        ["branches", s.deployOn?.branches, g.deployBranches],
      ] as const) {
        own?.forEach((p, i) => {
          if (!admitted.includes(p)) {
            problems.push(
              `${key}.${kind}[${i}]: "${p}" is not one of github.deploy${kind === "tags" ? "Tags" : "Branches"}, so the environment would refuse the job it starts. Fix: add it there, or use one of ${admitted.join(", ") || "none"}`,
            );
          }
        });
      }
      const { tags, branches } = serviceDeployRefs(svc, s.deployOn, Object.keys(c.services), g);
      const triggered = (g.deployEvents.includes("push") && branches.length > 0) || tags.length > 0;
      if (!triggered) {
        problems.push(
          `${PROJECT}:services.${svc}: nothing deploys it: ${
            g.deployTags.length === 0 || s.deployOn?.tags !== undefined
              ? `it has no deploy tag${g.deployEvents.includes("push") ? " and no deploy branch" : " (and deployEvents has no push, so branches deploy nothing)"}`
              : `no deploy tag (${g.deployTags.join(", ")}) is named after it, and where tags name services, a service deploys only on its own`
          }. Fix: add a tag pattern of its own to github.deployTags (e.g. "${svc}-v*") or list its refs in services.${svc}.deployOn`,
        );
      }
    }
    return problems;
  }),
];
