/**
 * The readable half of the offline plan: what a reviewer checks, read back from the resources
 * the program declared (not from its config), so the summary cannot disagree with the plan. Only
 * the header (stage, app, region) and the cost's region come from the validated stage.
 */
import { ArnValues } from "../lib/arns";
import { accessLines, accessPaths } from "./accessView";
import { RecordedResource } from "./mocks";
import { OfflineRun } from "./offline";
import { PolicyDocument, Statement } from "../lib/iam";
import { GITHUB_OIDC_HOST } from "../lib/subjects";
import { CostLine, costInputsOf, estimateMonthlyCost, totalMonthlyCost } from "../lib/cost";
import { LifecycleRule } from "../lib/ecrLifecycle";
import { taskServices } from "../stacks/stage";

type Json = Record<string, unknown>;
type LifecyclePolicy = { rules: LifecycleRule[] };
/** Text of a JSON value: strings as they are, anything else as JSON. */
const text = (v: unknown): string =>
  typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined");
const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(text) : [text(v)];
const parse = <T>(json: unknown): T | undefined =>
  typeof json === "string" ? (JSON.parse(json) as T) : undefined;

/**
 * Where each resource type the program declares shows in the summary (beyond the count by type
 * at its end). Every declared type has an entry; `summarize` refuses a plan with a type that has
 * none, so a new kind of resource is placed in the summary when it is added.
 */
export const SUMMARY_OF_KIND: Readonly<Record<string, string>> = {
  "pulumi:providers:aws": "the header: the tags every AWS resource gets",
  "pulumi:providers:github": "counted with the components (the GitHub owner is the environment's)",
  "pulumi:providers:random": "not shown: it has no settings",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "the GitHub OIDC provider line",
  "aws:iam/role:Role": "its GitHub Actions role section, or its service's section",
  "aws:iam/rolePolicy:RolePolicy": "its role's statements",
  "aws:iam/policy:Policy": "its role's statements, or the break-glass section",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "its role's statements or attachments",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "the break-glass section",
  "aws:iam/user:User": "the break-glass section",
  "aws:iam/accessKey:AccessKey": "the break-glass section",
  "aws:ecr/repository:Repository": "its repository section",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "its repository section",
  "aws:cloudwatch/logGroup:LogGroup": "its service section",
  "aws:secretsmanager/secret:Secret": "its secret section",
  "aws:secretsmanager/secretVersion:SecretVersion": "its secret section (the value's source)",
  "random:index/randomPassword:RandomPassword": "its secret section, or the environment's secrets",
  "aws:ecs/cluster:Cluster": "the cluster line",
  "aws:ecs/taskDefinition:TaskDefinition": "its service section",
  "aws:ecs/service:Service": "its service section",
  "aws:sns/topic:Topic": "the break-glass section",
  "aws:sns/topicSubscription:TopicSubscription": "the break-glass section",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "the break-glass section",
  "github:index/repositoryEnvironment:RepositoryEnvironment": "the GitHub environment section",
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy":
    "the GitHub environment section (may deploy)",
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret":
    "the GitHub environment section (secret names, never values)",
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable":
    "the GitHub environment section (variables)",
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate":
    "the GitHub environment section (subject claim template)",
  "github:index/repositoryFile:RepositoryFile": "the GitHub environment section (committed files)",
  "aws:appautoscaling/target:Target": "the service's section (autoscaling)",
  "aws:appautoscaling/policy:Policy": "the service's section (autoscaling)",
  "aws:sns/topicPolicy:TopicPolicy": "the break-glass section (who may publish to the topic)",
  "aws:cloudwatch/eventRule:EventRule": "the break-glass section (the CloudTrail rule)",
  "aws:cloudwatch/eventTarget:EventTarget": "the break-glass section (the CloudTrail rule)",
  "github:index/actionsSecret:ActionsSecret": "the GitHub environment section (repository outputs)",
  "github:index/actionsVariable:ActionsVariable":
    "the GitHub environment section (repository outputs)",
  "github:index/repositoryRuleset:RepositoryRuleset":
    "the GitHub environment section (rulesets on the deploy refs)",
};

/** Indexes the run's resources by URN, parent and type. */
class Index {
  private readonly byType = new Map<string, RecordedResource[]>();
  private readonly byParent = new Map<string, RecordedResource[]>();
  private readonly secretsByArn = new Map<string, string>();
  constructor(readonly run: OfflineRun) {
    const add = (map: Map<string, RecordedResource[]>, key: string, r: RecordedResource) =>
      map.set(key, [...(map.get(key) ?? []), r]);
    for (const r of run.resources) {
      add(this.byType, r.type, r);
      if (r.parent) add(this.byParent, r.parent, r);
      if (r.type === "aws:secretsmanager/secret:Secret")
        this.secretsByArn.set(text(r.state.arn), text(r.inputs.name));
    }
  }
  ofType(type: string): RecordedResource[] {
    return this.byType.get(type) ?? [];
  }
  children(parent: RecordedResource, type?: string): RecordedResource[] {
    return (this.byParent.get(parent.urn) ?? []).filter((r) => !type || r.type === type);
  }
  /**
   * The policies the program gave a role: its inline policies, then the customer-managed ones it
   * created and attached (attachments of other policies are in {@link attachedElsewhere}).
   */
  policiesOfRole(
    role: RecordedResource,
  ): { name: string; managed: boolean; doc?: PolicyDocument }[] {
    const inline = this.ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === role.id)
      .map((p) => ({
        name: text(p.inputs.name),
        managed: false,
        doc: parse<PolicyDocument>(p.inputs.policy),
      }));
    const attached = new Set(this.attachmentsOf(role).map((a) => text(a.inputs.policyArn)));
    const managed = this.ofType("aws:iam/policy:Policy")
      .filter((p) => attached.has(text(p.state.arn)))
      .map((p) => ({
        name: text(p.inputs.name),
        managed: true,
        doc: parse<PolicyDocument>(p.inputs.policy),
      }));
    return [...inline, ...managed];
  }
  private attachmentsOf(role: RecordedResource): RecordedResource[] {
    return this.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
      (a) => a.inputs.role === role.id,
    );
  }
  /** ARNs of policies attached to a role that the program did not create (config's own). */
  attachedElsewhere(role: RecordedResource): string[] {
    const created = new Set(this.ofType("aws:iam/policy:Policy").map((p) => text(p.state.arn)));
    return this.attachmentsOf(role)
      .map((a) => text(a.inputs.policyArn))
      .filter((arn) => !created.has(arn));
  }
  /** Name of the secret with this ARN (a `valueFrom` may add `:json-key::`). */
  secretName(arn: string): string | undefined {
    // Secret ARNs end in `-XXXXXX`; a JSON key reference adds `:<key>::` after that.
    return (
      this.secretsByArn.get(arn) ?? this.secretsByArn.get(arn.split(":").slice(0, 7).join(":"))
    );
  }
}

const flags = (r: RecordedResource) =>
  [
    r.options.protect ? "protected" : "",
    r.options.retainOnDelete ? "kept on destroy" : "",
    r.options.importId
      ? `adopts ${r.options.importId}: pulumi up imports it, then updates it to these settings`
      : "",
    r.options.ignoreChanges.length
      ? `ignores changes to ${r.options.ignoreChanges.join(", ")}`
      : "",
  ].filter(Boolean);
/** The resource's flags appended to a line (`; protected; kept on destroy`), or nothing. */
const flagSuffix = (r: RecordedResource) =>
  flags(r)
    .map((f) => `; ${f}`)
    .join("");

function statementLines(doc: PolicyDocument, indent: string): string[] {
  return doc.Statement.map((s: Statement) => {
    const actions = list(s.Action).join(", ");
    const resources = list(s.Resource).join(", ");
    const condition = s.Condition
      ? ` if ${Object.entries(s.Condition)
          .flatMap(([op, kv]) =>
            Object.entries(kv ?? {}).map(([k, v]) => `${k} ${op} ${list(v).join(" | ")}`),
          )
          .join(" and ")}`
      : "";
    return `${indent}${s.Effect === "Allow" ? "" : "DENY "}${s.Sid ?? "-"}: ${actions} on ${resources}${condition}`;
  });
}

function trustLines(doc: PolicyDocument, indent: string): string[] {
  return doc.Statement.map((s) => {
    const eq = s.Condition?.StringEquals ?? {};
    const like = s.Condition?.StringLike ?? {};
    const aud = list(eq[`${GITHUB_OIDC_HOST}:aud`]).join(" | ") || "NOT CHECKED";
    const subs = [
      ...list(eq[`${GITHUB_OIDC_HOST}:sub`]).map((x) => `${x}  (exact)`),
      ...list(like[`${GITHUB_OIDC_HOST}:sub`]).map((x) => `${x}  (pattern)`),
    ];
    return [`${indent}aud = ${aud}; sub one of:`, ...subs.map((x) => `${indent}  ${x}`)].join("\n");
  });
}

function roleSection(ix: Index, component: RecordedResource): string[] {
  const role = ix.children(component, "aws:iam/role:Role")[0];
  if (!role) return [];
  const trust = parse<PolicyDocument>(role.inputs.assumeRolePolicy);
  const lines = [
    `GitHub Actions role ${text(role.inputs.name)}`,
    `  max session ${text(role.inputs.maxSessionDuration)} s; permissions boundary: ${text(role.inputs.permissionsBoundary ?? "none")}`,
    "  trusted when:",
    ...(trust ? trustLines(trust, "    ") : []),
    "  may:",
  ];
  for (const p of ix.policiesOfRole(role)) {
    lines.push(
      `    [${p.name}${p.managed ? ", customer-managed" : ""}]`,
      ...(p.doc ? statementLines(p.doc, "      ") : []),
    );
  }
  return lines;
}

function repositorySection(ix: Index, component: RecordedResource): string[] {
  const repo = ix.children(component, "aws:ecr/repository:Repository")[0];
  const lifecycle = ix.children(component, "aws:ecr/lifecyclePolicy:LifecyclePolicy")[0];
  if (!repo) return [];
  const enc = (repo.inputs.encryptionConfigurations as Json[] | undefined)?.[0] ?? {};
  const scan = (repo.inputs.imageScanningConfiguration as Json | undefined)?.scanOnPush === true;
  const rules = parse<LifecyclePolicy>(lifecycle?.inputs.policy)?.rules ?? [];
  // The tags that may move anyway: what a reviewer of an immutable repository needs to see.
  const excluded = ((repo.inputs.imageTagMutabilityExclusionFilters as Json[] | undefined) ?? [])
    .map((f) => `:${text(f.filter)}`)
    .join(", ");
  return [
    `ECR repository ${text(repo.inputs.name)}`,
    `  tags ${text(repo.inputs.imageTagMutability)}${excluded ? ` (${excluded} may move)` : ""}; scan on push ${scan ? "on" : "OFF"}; encryption ${text(enc.encryptionType)}${enc.kmsKey ? ` (${text(enc.kmsKey)})` : ""}; force delete ${repo.inputs.forceDelete ? "yes" : "no"}`,
    `  lifecycle: ${rules.map((r) => r.description).join("; ") || "NONE"}`,
    ...(flags(repo).length ? [`  ${flags(repo).join("; ")}`] : []),
  ];
}

function secretSection(
  ix: Index,
  component: RecordedResource,
  readers: Map<string, string[]>,
): string[] {
  const secret = ix.children(component, "aws:secretsmanager/secret:Secret")[0];
  if (!secret) return [];
  const name = text(secret.inputs.name);
  const password = ix.children(component, "random:index/randomPassword:RandomPassword")[0];
  const version = ix.children(component, "aws:secretsmanager/secretVersion:SecretVersion")[0];
  const source = password
    ? `generated: ${text(password.inputs.length)} random characters (rotation ${text((password.inputs.keepers as Json | undefined)?.rotation)})`
    : version?.options.ignoreChanges.includes("secretString")
      ? "external: set out of band; a placeholder version is written once and never overwritten"
      : version
        ? "from encrypted stack config"
        : "external: no version until set out of band";
  return [
    `Secret ${name}`,
    `  value ${source}; value shown as [secret]`,
    `  recovery window ${text(secret.inputs.recoveryWindowInDays)} days; KMS ${text(secret.inputs.kmsKeyId ?? "aws/secretsmanager")}${flagSuffix(secret)}`,
    `  readable by: ${(readers.get(name) ?? []).join(", ") || "nobody"}`,
  ];
}

function serviceSection(ix: Index, component: RecordedResource): string[] {
  const td = ix.children(component, "aws:ecs/taskDefinition:TaskDefinition")[0];
  if (!td) return [];
  const containers = parse<Json[]>(td.inputs.containerDefinitions) ?? [];
  const platform = (td.inputs.runtimePlatform as Json | undefined) ?? {};
  const logs = ix.children(component, "aws:cloudwatch/logGroup:LogGroup")[0];
  const roles = ix.children(component, "aws:iam/role:Role");
  const service = ix.children(component, "aws:ecs/service:Service")[0];
  const stageService = taskServices(ix.run.stage.services).find(
    (s) => s.names.family === text(td.inputs.family),
  );
  const lines = [
    `Service ${text(td.inputs.family)}`,
    ...(stageService?.existingRepository
      ? [`  repository ${stageService.repositoryName}: existing, looked up, never managed here`]
      : []),
    ...[stageService?.existingExecutionRoleArn, stageService?.existingTaskRoleArn]
      .filter((arn): arn is string => arn !== undefined)
      .map((arn) => `  runs with the existing role ${arn}: its permissions are its own`),
    `  task definition: ${text(td.inputs.cpu)} CPU units / ${text(td.inputs.memory)} MiB, ${text(platform.cpuArchitecture)}, ${text(td.inputs.networkMode)}, Fargate`,
  ];
  for (const c of containers) {
    const hc = (c.healthCheck as Json | undefined) ?? {};
    const ports = ((c.portMappings as Json[] | undefined) ?? [])
      .map((p) => text(p.containerPort))
      .join(", ");
    lines.push(
      `  container ${text(c.name)}: image ${text(c.image)}; port ${ports || "none"}; privileged ${c.privileged ? "YES" : "no"}; root filesystem ${c.readonlyRootFilesystem ? "read-only" : "writable"}`,
      ...(c.command ? [`    command: ${list(c.command).join(" ")}`] : []),
      ...(c.entryPoint ? [`    entry point: ${list(c.entryPoint).join(" ")}`] : []),
      `    health check: ${c.healthCheck ? `${list(hc.command).slice(1).join(" ")} (every ${text(hc.interval)} s, ${text(hc.retries)} retries, start period ${text(hc.startPeriod)} s)` : "none"}`,
      `    environment: ${((c.environment as Json[] | undefined) ?? []).map((e) => `${text(e.name)}=${text(e.value)}`).join(", ") || "none"}`,
      `    secrets: ${((c.secrets as Json[] | undefined) ?? []).map((e) => `${text(e.name)} <- ${ix.secretName(text(e.valueFrom)) ?? text(e.valueFrom)}`).join(", ") || "none"}`,
    );
  }
  if (logs)
    lines.push(
      `  logs: ${text(logs.inputs.name)}, kept ${text(logs.inputs.retentionInDays)} days${flagSuffix(logs)}`,
    );
  for (const role of roles) {
    const docs = ix
      .policiesOfRole(role)
      .map((p) => p.doc)
      .filter((d): d is PolicyDocument => !!d);
    const attached = ix.attachedElsewhere(role);
    const none = docs.length + attached.length === 0;
    lines.push(
      `  role ${text(role.inputs.name)}:${none ? " no permissions (attach the app's own policies through taskRolePolicyArns)" : ""}`,
    );
    docs.forEach((d) => lines.push(...statementLines(d, "    ")));
    attached.forEach((arn) => lines.push(`    attached ${arn}`));
  }
  if (service) {
    const net = (service.inputs.networkConfiguration as Json | undefined) ?? {};
    const breaker = (service.inputs.deploymentCircuitBreaker as Json | undefined) ?? {};
    const lbs = (service.inputs.loadBalancers as Json[] | undefined) ?? [];
    lines.push(
      `  ECS service ${text(service.inputs.name)} on ${text(service.inputs.cluster)}`,
      `    desired ${text(service.inputs.desiredCount)}; subnets ${list(net.subnets).join(", ")}; security groups ${list(net.securityGroups).join(", ")}; public IP ${net.assignPublicIp ? "ON" : "off"}`,
      `    circuit breaker ${breaker.enable ? "on" : "OFF"}, rollback ${breaker.rollback ? "on" : "OFF"}${lbs.length ? `; target group ${text(lbs[0].targetGroupArn)}` : ""}`,
      ...ix.children(component, "aws:appautoscaling/target:Target").map(
        (t) =>
          `    autoscaling ${text(t.inputs.minCapacity)}-${text(t.inputs.maxCapacity)} tasks (the scaler owns desiredCount): ${ix
            .children(component, "aws:appautoscaling/policy:Policy")
            .map((p) => {
              const cfg =
                (p.inputs.targetTrackingScalingPolicyConfiguration as Json | undefined) ?? {};
              const metric = text(
                (cfg.predefinedMetricSpecification as Json | undefined)?.predefinedMetricType,
              );
              return `${metric.replace(/^ECSServiceAverage|Utilization$/g, "")} at ${text(cfg.targetValue)} %`;
            })
            .join(", ")}`,
      ),
      `    ${service.options.ignoreChanges.includes("taskDefinition") ? "image owned by the pipeline: pulumi up never rolls back what CI deployed" : "image owned by the stack: pulumi up deploys the configured tag"}`,
    );
  }
  return lines;
}

/** Roles whose trust policy admits a subject ending in this context, e.g. `environment:production`. */
function rolesTrusting(ix: Index, repository: string, context: string): string[] {
  // The repository appears as `/<repo>:` (names), `/<repo>@<id>:` (immutable ids) or, under a
  // customized template, possibly only as ids; a `repo:` subject must name this repository.
  const sameRepository = (sub: string) =>
    !sub.startsWith("repo:") || sub.includes(`/${repository}:`) || sub.includes(`/${repository}@`);
  return ix
    .ofType("aws:iam/role:Role")
    .filter((role) => {
      const trust = parse<PolicyDocument>(role.inputs.assumeRolePolicy);
      return (trust?.Statement ?? []).some((s) =>
        Object.values(s.Condition ?? {}).some((kv) =>
          list((kv ?? {})[`${GITHUB_OIDC_HOST}:sub`]).some(
            (sub) => sub.endsWith(`:${context}`) && sameRepository(sub),
          ),
        ),
      );
    })
    .map((role) => text(role.inputs.name));
}

/** The GitHub environment, side by side with the roles that trust it. */
function environmentSection(ix: Index, component: RecordedResource): string[] {
  const env = ix.children(component, "github:index/repositoryEnvironment:RepositoryEnvironment")[0];
  if (!env) return [];
  const name = text(env.inputs.environment);
  const policies = ix.children(
    component,
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
  );
  const branches = policies
    .filter((p) => p.inputs.branchPattern !== undefined)
    .map((p) => text(p.inputs.branchPattern));
  const tags = policies
    .filter((p) => p.inputs.tagPattern !== undefined)
    .map((p) => text(p.inputs.tagPattern));
  const reviewers = ((env.inputs.reviewers as Json[] | undefined) ?? [])[0] ?? {};
  const lookups = (token: string, key: string) =>
    ix.run.calls.filter((c) => c.token === token).map((c) => text(c.inputs[key]));
  const users = lookups("github:index/getUser:getUser", "username");
  const teams = lookups("github:index/getTeam:getTeam", "slug");
  const secrets = ix.children(
    component,
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
  );
  const variables = ix.children(
    component,
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
  );
  const template = ix.children(
    component,
    "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate",
  )[0];
  const count = list(reviewers.users).length + list(reviewers.teams).length;
  const files = ix
    .children(component, "github:index/repositoryFile:RepositoryFile")
    .map((f) => text(f.inputs.file));
  return [
    `GitHub environment ${name} on ${text(env.inputs.repository)}`,
    `  may deploy: branches ${branches.join(", ") || "none"}; tags ${tags.join(", ") || "none"} (no other ref can use the environment)`,
    `  required reviewers: ${count ? [...users.map((u) => `user ${u}`), ...teams.map((t) => `team ${t}`)].join(", ") : "none"}; prevent self-review ${env.inputs.preventSelfReview ? "yes" : "no"}; wait ${text(env.inputs.waitTimer)} min; admins bypass ${env.inputs.canAdminsBypass ? "yes" : "no"}`,
    `  trusted by AWS roles: ${rolesTrusting(ix, text(env.inputs.repository), `environment:${name}`).join(", ") || "NONE"} (their sub ends in environment:${name})`,
    `  secrets: ${
      secrets
        .map((s) => text(s.inputs.secretName))
        .sort()
        .join(", ") || "none"
    }${secrets.length ? " (values [secret])" : ""}`,
    `  variables: ${variables
      .map((v) => `${text(v.inputs.variableName)}=${text(v.inputs.value)}`)
      .sort()
      .join(", ")}`,
    ...(template
      ? [
          `  subject claim template managed here: ${list(template.inputs.includeClaimKeys).join(", ")}`,
        ]
      : []),
    ...(files.length ? [`  commits into the app repository: ${files.join(", ")}`] : []),
    ...[
      ...ix
        .children(component, "github:index/actionsSecret:ActionsSecret")
        .map((x) => `secret ${text(x.inputs.secretName)} (value [secret])`),
      ...ix
        .children(component, "github:index/actionsVariable:ActionsVariable")
        .map((x) => `variable ${text(x.inputs.variableName)}=${text(x.inputs.value)}`),
    ].map((x) => `  repository-wide (every workflow of the repository reads it): ${x}`),
    ...rulesetLines(ix, component),
  ];
}

/** The rulesets on the deploy refs: which refs, what they hold back, and who they do not. */
function rulesetLines(ix: Index, component: RecordedResource): string[] {
  const rulesets = ix.children(component, "github:index/repositoryRuleset:RepositoryRuleset");
  const bypass = ix.run.stage.github.rulesets?.bypass;
  const who = bypass
    ? [
        ...bypass.roles.map((r) => `role ${r}`),
        ...bypass.teams.map((t) => `team ${t}`),
        ...bypass.apps.map((a) => `app ${a}`),
      ].join(", ") || "nobody"
    : "nobody";
  if (rulesets.length === 0) {
    return [
      `  rulesets: none; anyone who may push to the repository may create a deploy ${ix.run.stage.github.deployTags.length ? "tag" : "branch"} (github.rulesets)`,
    ];
  }
  return rulesets.map((r) => {
    const refName = (r.inputs.conditions as Json | undefined)?.refName as Json | undefined;
    const refs = list(refName?.includes).join(", ");
    const rules = r.inputs.rules as Json;
    const pr = rules.pullRequest as Json | undefined;
    const held =
      r.inputs.target === "tag"
        ? "only the bypass list may create, move or delete them"
        : `changes only through a pull request with ${text(pr?.requiredApprovingReviewCount)} approval(s) (stale ones dismissed, the last push approved by someone else); no force push, no deletion`;
    return `  ruleset ${text(r.inputs.name)} (${text(r.inputs.enforcement)}): ${refs}: ${held}; bypass: ${who}`;
  });
}

/** The break-glass user, its key and the alarm that watches it. */
function breakGlassSection(ix: Index, component: RecordedResource): string[] {
  const user = ix.children(component, "aws:iam/user:User")[0];
  const alarm = ix.children(component, "aws:cloudwatch/metricAlarm:MetricAlarm")[0];
  const emails = ix
    .children(component, "aws:sns/topicSubscription:TopicSubscription")
    .map((s) => text(s.inputs.endpoint));
  const rule = ix.children(component, "aws:cloudwatch/eventRule:EventRule")[0];
  if (!user || !alarm || !rule) return [];
  const policies = ix.children(component, "aws:iam/policy:Policy").map((p) => text(p.inputs.name));
  const publishers = ix
    .children(component, "aws:sns/topicPolicy:TopicPolicy")
    .flatMap((p) => parse<PolicyDocument>(p.inputs.policy)?.Statement ?? [])
    .map((s) => (s.Principal as { Service?: string } | undefined)?.Service ?? "?");
  return [
    `Break-glass access ENABLED: IAM user ${text(user.inputs.name)} with one access key`,
    `  may do what the deploy role may (${policies.join(", ")}); the key goes only to the GitHub environment's secrets`,
    `  rule ${text(rule.inputs.name)}: every AWS API call made with the user's credentials, as the trail ${text(ix.run.stage.fallback.trailArn)} records it, read-only calls included -> e-mail ${emails.join(", ")}`,
    `  alarm ${text(alarm.inputs.name)}: ${text(alarm.inputs.namespace)}/${text(alarm.inputs.metricName)} ${text(alarm.inputs.statistic)} >= ${text(alarm.inputs.threshold)} in ${text(alarm.inputs.period)} s (written by the deploy workflow) -> e-mail ${emails.join(", ")}`,
    `  only ${publishers.join(" and ")} may publish to the topic, for this rule and this alarm`,
  ];
}

/** Which roles may read which secret, derived from the declared role policies. */
function secretReaders(ix: Index): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const role of ix.ofType("aws:iam/role:Role")) {
    for (const { doc } of ix.policiesOfRole(role)) {
      for (const s of doc?.Statement ?? []) {
        if (s.Effect !== "Allow" || !list(s.Action).includes("secretsmanager:GetSecretValue"))
          continue;
        for (const arn of list(s.Resource)) {
          const name = ix.secretName(arn) ?? arn;
          const names = new Set([...(readers.get(name) ?? []), text(role.inputs.name)]);
          readers.set(name, [...names].sort());
        }
      }
    }
  }
  return readers;
}

/** What the declared resources cost per month, counted from the plan itself. */
export function planCost(run: OfflineRun): CostLine[] {
  return estimateMonthlyCost(
    costInputsOf(run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))),
  );
}

function costSection(run: OfflineRun): string[] {
  const lines = planCost(run);
  return [
    `Estimated fixed monthly cost in ${run.stage.region} (USD list prices; Fargate compute and other usage not included):`,
    ...lines.map(
      (l) =>
        `  ${l.item.padEnd(62)} ${String(l.quantity).padStart(6)} ${l.unit.padEnd(6)} x ${l.unitPrice.toFixed(2)} = ${l.monthly.toFixed(2)}`,
    ),
    `  ${"total".padEnd(62)} ${" ".repeat(26)}${totalMonthlyCost(lines).toFixed(2)} per month`,
  ];
}

/** The summary a reviewer reads: everything grouped by component, then counts. */
/** The values the run's ARN templates render with: its account and its secrets' ARNs. */
export function arnValuesOf(run: OfflineRun): ArnValues {
  return {
    accountId: text(run.outputs.accountId),
    secretArns: (run.outputs.secretArns ?? {}) as Record<string, string>,
  };
}

export function summarize(run: OfflineRun): string {
  const unplaced = [
    ...new Set(
      run.resources.filter((r) => r.custom && !(r.type in SUMMARY_OF_KIND)).map((r) => r.type),
    ),
  ];
  if (unplaced.length > 0) {
    throw new Error(
      `scripts/summary.ts has no SUMMARY_OF_KIND entry for ${unplaced.join(", ")}; say where the summary shows it`,
    );
  }
  const ix = new Index(run);
  // Waived invariants first: a reviewer reads them before anything else.
  const out: string[] = run.stage.warnings.map((w) => `WARNING: ${w}`);
  // Then what the stage shares with the other stage on purpose: the one exception to isolation.
  out.push(
    ...run.stage.shared.map(
      (s) =>
        `SHARED with stack ${s.with} (declared in both stacks' delivery:shared): ${s.resource}`,
    ),
  );
  const provider = ix.ofType("pulumi:providers:aws")[0];
  const tags = parse<{ tags?: Record<string, string> }>(provider?.inputs.defaultTags)?.tags ?? {};
  out.push(
    `delivery plan: stack ${run.stack} (stage ${run.stage.name}), app ${run.stage.app}, account ${text(run.outputs.accountId)}, region ${run.stage.region}`,
    "Offline: evaluated on Pulumi's mock runtime; nothing was sent to AWS or GitHub. Secret values are shown as [secret].",
    `Every AWS resource is tagged ${Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
    "",
    // Who can do what before what is built: the access model, path by path.
    ...accessLines(accessPaths(run.stage, arnValuesOf(run))),
    "",
  );
  const oidc = ix.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0];
  const lookup = run.calls.find(
    (c) => c.token === "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
  );
  out.push(
    oidc
      ? `GitHub OIDC provider: creates ${text(oidc.inputs.url)} for audience ${list(oidc.inputs.clientIdLists).join(", ")}${flags(oidc).length ? ` (${flags(oidc).join("; ")})` : ""}`
      : `GitHub OIDC provider: uses the existing one, looked up by ${lookup?.inputs.arn ? `ARN ${text(lookup.inputs.arn)}` : `URL ${text(lookup?.inputs.url)}`}`,
    `  ARN ${text(run.outputs.oidcProviderArn)}`,
    "",
  );
  const readers = secretReaders(ix);
  const sections: [string, (r: RecordedResource) => string[]][] = [
    ["delivery:aws:GithubActionsRole", (r) => roleSection(ix, r)],
    ["delivery:aws:EcrRepository", (r) => repositorySection(ix, r)],
    ["delivery:aws:RuntimeSecret", (r) => secretSection(ix, r, readers)],
    ["delivery:aws:FargateService", (r) => serviceSection(ix, r)],
    ["delivery:github:GithubEnvironment", (r) => environmentSection(ix, r)],
    ["delivery:aws:BreakGlassAccess", (r) => breakGlassSection(ix, r)],
  ];
  for (const [type, render] of sections) {
    for (const component of ix.ofType(type)) out.push(...render(component), "");
  }
  for (const cluster of ix.ofType("aws:ecs/cluster:Cluster")) {
    const insights = (cluster.inputs.settings as Json[] | undefined)?.find(
      (s) => s.name === "containerInsights",
    )?.value;
    out.push(
      `ECS cluster ${text(cluster.inputs.name)}: Container Insights ${text(insights ?? "off")}${flagSuffix(cluster)}`,
      "",
    );
  }
  const counts = new Map<string, number>();
  for (const r of run.resources.filter(
    (x) => x.custom && !x.type.startsWith("pulumi:providers:"),
  )) {
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  out.push(
    `${total} cloud resources in ${run.resources.filter((r) => !r.custom).length} components:`,
    ...[...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, n]) => `  ${text(n).padStart(3)}  ${type}`),
    "",
    // Last: the summary ends with what the stage costs.
    ...costSection(run),
  );
  return out.join("\n");
}
