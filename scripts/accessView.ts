/**
 * The access model as the plan shows it: for every way in (a GitHub trigger, an ECS task, the
 * break-glass key), what stands in front of it, the principal it reaches, and what that principal
 * may do on which resources. One list of paths feeds the summary's "who can do what", the JSON's
 * `access`, the Mermaid diagram of the pull-request summary and the comparison of two plans.
 */
import { ArnValues } from "../lib/arns";
import { GrantClass, grantClasses } from "../lib/grants";
import { Statement } from "../lib/iam";
import {
  EnvironmentProtection,
  PrincipalAccess,
  Trigger,
  githubRoles,
  renderStatements,
} from "../stacks/access";
import { Stage, taskServices } from "../stacks/stage";

/** What a principal may (or may never) do: actions on resources, maybe under a condition. */
export interface Permission {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: string;
}

/** One way to a principal, and what it gets there. */
export interface AccessPath {
  /** "environment production of acme/shop", "pull request of acme/shop-infra", ... */
  readonly from: string;
  /** What stands in front of it, one item each; empty: nothing does. */
  readonly protection: readonly string[];
  readonly principal: string;
  readonly kind: "role" | "user";
  /** What its grants give away: read, write, secret. */
  readonly classes: readonly GrantClass[];
  readonly permissions: readonly Permission[];
}

const list = <T>(x: T | T[] | undefined): T[] =>
  x === undefined ? [] : Array.isArray(x) ? x : [x];

/** A condition block, compact: `ecs:task-definition ArnLikeIfExists arn:...`. */
function conditionText(s: Statement): string | undefined {
  if (!s.Condition) return undefined;
  return Object.entries(s.Condition)
    .flatMap(([op, keys]) =>
      Object.entries(keys as Record<string, unknown>).map(
        ([key, value]) => `${key} ${op} ${list(value as string | string[]).join(", ")}`,
      ),
    )
    .join("; ");
}

/** Statements as permissions, their ARNs rendered for the stage's account. */
function statementPermissions(statements: readonly Statement[], values: ArnValues): Permission[] {
  return renderStatements(statements, values).map((s) => ({
    effect: s.Effect,
    actions: list(s.Action),
    resources: list(s.Resource),
    condition: conditionText(s),
  }));
}

/** What a policy or role the model cannot see into allows: only its name says anything. */
const opaque = (what: string): Permission => ({
  effect: "Allow",
  actions: [`whatever ${what}`],
  resources: [],
});

function permissionsOf(access: PrincipalAccess, values: ArnValues): Permission[] {
  return [
    ...statementPermissions(Object.values(access.grants).flat(), values),
    ...access.attachedPolicyArns.map((arn) => opaque(`${arn} allows`)),
  ];
}

/** What stands in front of the stage's own environment, as the stack writes it. */
export function environmentGuards(e: EnvironmentProtection): string[] {
  if (!e.managed) return ["not managed by this stack: its protection is whatever GitHub has"];
  const refs = [
    ...e.deployBranches.map((b) => `branch ${b}`),
    ...e.deployTags.map((t) => `tag ${t}`),
  ];
  const bypass = e.rulesets
    ? [
        ...e.rulesets.bypass.roles.map((r) => `role ${r}`),
        ...e.rulesets.bypass.teams.map((t) => `team ${t}`),
        ...e.rulesets.bypass.apps.map((a) => `app ${a}`),
      ].join(", ") || "nobody"
    : undefined;
  return [
    `only from ${refs.join(", ")}`,
    e.reviewers.length > 0 ? `reviewers: ${e.reviewers.join(", ")}` : "no reviewers",
    e.preventSelfReview ? "no self-review" : "self-review allowed",
    e.canAdminsBypass ? "admins may bypass" : "no admin bypass",
    ...(e.waitTimerMinutes > 0 ? [`wait ${e.waitTimerMinutes} min`] : []),
    ...(e.rulesets?.tags ? [`deploy tags created, moved or deleted only by ${bypass}`] : []),
    ...(e.rulesets?.branches
      ? [`deploy branches change only by reviewed pull request (bypass: ${bypass})`]
      : []),
    ...(!e.rulesets ? ["no ruleset: anyone who may push may push a deploy ref"] : []),
  ];
}

function triggerText(t: Trigger, repository: string): { from: string; protection: string[] } {
  switch (t.kind) {
    case "environment":
      return {
        from: `environment ${t.name} of ${repository}`,
        protection: t.managed
          ? []
          : ["an environment this stack does not manage: its protection is set there"],
      };
    case "branch":
    case "tag":
      return {
        from: `a job on ${t.kind} ${t.pattern} of ${repository}`,
        protection: [t.any ? `any ${t.kind} at all` : `whoever may push ${t.kind} ${t.pattern}`],
      };
    case "pullRequest":
      return {
        from: `a pull request of ${repository}`,
        protection: ["any pull request, unreviewed"],
      };
  }
}

/** Every way into the stage's principals, with the ARNs rendered for the stage's account. */
export function accessPaths(stage: Stage, values: ArnValues): AccessPath[] {
  const a = stage.access;
  const guards = environmentGuards(a.environment);
  const paths: AccessPath[] = [];
  for (const role of githubRoles(a)) {
    const permissions = permissionsOf(role, values);
    for (const edge of role.trustedBy) {
      const { from, protection } = triggerText(edge.trigger, edge.repository);
      const own = edge.trigger.kind === "environment" && edge.trigger.managed;
      paths.push({
        from,
        protection: own ? guards : protection,
        principal: role.principal,
        kind: "role",
        classes: role.classes,
        permissions,
      });
    }
  }
  // One trigger's roles together.
  paths.sort((a, b) => a.from.localeCompare(b.from));
  // An image runs no task here: no execution or task role to reach.
  for (const svc of taskServices(stage.services)) {
    const execution = a.executionRoles[svc.key];
    // An existing role is the team's own: what it may do is not this stack's to say.
    const existing = (arn: string) => [opaque(`the existing role ${arn} may`)];
    paths.push({
      from: `ECS tasks of service ${svc.key} (starting them)`,
      protection: execution
        ? ["ecs-tasks.amazonaws.com of this account only"]
        : ["whatever the existing role's trust policy allows"],
      principal: execution?.principal ?? svc.names.executionRole,
      kind: "role",
      classes: execution ? classesOf(execution) : ["read", "secret", "write"],
      permissions: execution
        ? permissionsOf(execution, values)
        : existing(svc.existingExecutionRoleArn ?? ""),
    });
    paths.push({
      from: `the running containers of service ${svc.key}`,
      protection: svc.existingTaskRoleArn
        ? ["whatever the existing role's trust policy allows"]
        : ["ecs-tasks.amazonaws.com of this account only"],
      principal: svc.names.taskRole,
      kind: "role",
      classes: svc.existingTaskRoleArn || svc.taskRolePolicyArns.length > 0 ? ["write"] : [],
      permissions: svc.existingTaskRoleArn
        ? existing(svc.existingTaskRoleArn)
        : svc.taskRolePolicyArns.map((arn) => opaque(`${arn} allows`)),
    });
  }
  for (const s of a.awsServices) {
    paths.push({
      from: s.service,
      protection: [`an AWS service, asked by this stack: ${s.bounds}`],
      principal: s.principal,
      kind: "role",
      classes: [...grantClasses(s.statements)].sort(),
      permissions: statementPermissions(s.statements, values),
    });
  }
  if (a.fallbackUser) {
    paths.push({
      from: "whoever holds the break-glass access key",
      protection: [
        `the key is only in environment ${a.environment.name}'s secrets`,
        "every use e-mails the alarm list",
      ],
      principal: a.fallbackUser.principal,
      kind: "user",
      classes: classesOf(a.fallbackUser),
      permissions: permissionsOf(a.fallbackUser, values),
    });
  }
  return paths;
}

function classesOf(access: PrincipalAccess): GrantClass[] {
  return [...grantClasses(Object.values(access.grants).flat())].sort();
}

/** A resource ARN without its `arn:<partition>:<service>:<region>:<account>:` prefix. */
const shortArn = (arn: string) => arn.replace(/^arn:[^:]+:[^:]+:[^:]*:[^:]*:/, "");

/** The summary's "who can do what" section. */
export function accessLines(paths: readonly AccessPath[]): string[] {
  const out = ["Who can do what (trigger -> protection -> principal -> actions on resources):"];
  let last: AccessPath | undefined;
  for (const p of paths) {
    const same = last?.from === p.from && last.protection.join() === p.protection.join();
    if (!same) {
      out.push(`  ${p.from}`);
      out.push(`    protection: ${p.protection.join("; ") || "none"}`);
    }
    last = p;
    out.push(`    -> ${p.kind} ${p.principal} [${p.classes.join(", ") || "nothing"}]`);
    for (const perm of p.permissions) {
      const on = perm.resources.length ? ` on ${perm.resources.map(shortArn).join(", ")}` : "";
      out.push(
        `       ${perm.effect === "Deny" ? "never " : ""}${perm.actions.join(", ")}${on}${perm.condition ? ` if ${perm.condition}` : ""}`,
      );
    }
  }
  return out;
}

const mermaidText = (text: string) => text.replace(/"/g, "#quot;").replace(/[<>]/g, "");

/** A Mermaid flowchart: trigger -> protection -> principal -> what it may reach. */
export function accessMermaid(paths: readonly AccessPath[]): string {
  const lines = ["flowchart LR"];
  const ids = new Map<string, string>();
  const node = (key: string, label: string, shape: [string, string] = ["[", "]"]) => {
    let id = ids.get(key);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(key, id);
      lines.push(`  ${id}${shape[0]}"${mermaidText(label)}"${shape[1]}`);
    }
    return id;
  };
  for (const p of paths) {
    const from = node(`from:${p.from}`, p.from, ["([", "])"]);
    const principal = node(`principal:${p.principal}`, `${p.kind} ${p.principal}`);
    const guard = p.protection.length ? mermaidText(p.protection.join("; ")) : "NO PROTECTION";
    lines.push(`  ${from} -- "${guard}" --> ${principal}`);
    const reach = [
      ...new Set(
        p.permissions.filter((x) => x.effect === "Allow").flatMap((x) => x.resources.map(shortArn)),
      ),
    ];
    const what = node(
      `reach:${p.principal}`,
      `${p.classes.join(", ") || "nothing"}: ${reach.length > 6 ? `${reach.slice(0, 6).join(", ")}, and ${reach.length - 6} more` : reach.join(", ") || "—"}`,
      ["[[", "]]"],
    );
    if (!lines.includes(`  ${principal} --> ${what}`)) lines.push(`  ${principal} --> ${what}`);
  }
  return lines.join("\n");
}

/** The plan JSON's `access`: the stage environment's protection and every path. */
export interface AccessDocument {
  readonly environment: EnvironmentProtection;
  readonly paths: readonly AccessPath[];
}

/**
 * What changed in who can do what between two plans, most dangerous first: a new way in, a new
 * permission, a weaker protection; then what went away.
 */
export function accessChanges(before: AccessDocument, after: AccessDocument): string[] {
  const key = (p: AccessPath) => `${p.from} -> ${p.principal}`;
  const old = new Map(before.paths.map((p) => [key(p), p]));
  const now = new Map(after.paths.map((p) => [key(p), p]));
  const perm = (x: Permission) =>
    `${x.effect === "Deny" ? "never " : ""}${x.actions.join(", ")} on ${x.resources.join(", ") || "-"}${x.condition ? ` if ${x.condition}` : ""}`;
  const added: string[] = [];
  const granted: string[] = [];
  const weaker: string[] = [];
  const removed: string[] = [];
  for (const [k, p] of now) {
    const was = old.get(k);
    if (!was) {
      added.push(
        `NEW WAY IN: ${k} [${p.classes.join(", ") || "nothing"}]; protection: ${p.protection.join("; ") || "none"}`,
      );
      continue;
    }
    const had = new Set(was.permissions.map(perm));
    for (const x of p.permissions.map(perm).filter((x) => !had.has(x))) {
      granted.push(`NEW PERMISSION: ${k}: ${x}`);
    }
    const guarded = new Set(p.protection);
    for (const g of was.protection.filter((x) => !guarded.has(x))) {
      weaker.push(
        `WEAKER PROTECTION: ${k}: no longer "${g}"${p.protection.length ? `; now: ${p.protection.join("; ")}` : ""}`,
      );
    }
    const has = new Set(p.permissions.map(perm));
    for (const x of was.permissions.map(perm).filter((x) => !has.has(x))) {
      removed.push(`permission removed: ${k}: ${x}`);
    }
  }
  for (const k of old.keys()) if (!now.has(k)) removed.push(`way in removed: ${k}`);
  return [...added, ...granted, ...weaker, ...removed];
}
