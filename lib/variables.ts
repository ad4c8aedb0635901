/**
 * The GitHub environment secrets and variables the stage writes and the app repo's deploy
 * workflows read. The one source of truth: the GitHub component writes exactly these, the names
 * table checks them, and the workflow templates read them through {@link serviceField}.
 */
import { variableSuffix } from "./naming";

/**
 * Environment secret holding the deploy role's ARN by default (`deployRole.githubOutput` may
 * name another), and always the environment variable the credential check reads it from
 * (`scripts/check-aws-credentials.sh`).
 */
export const ROLE_ARN_SECRET = "AWS_ROLE_ARN";

/** Where the deploy role's ARN is written: an environment secret or variable of this name. */
export interface RoleArnOutput {
  readonly name: string;
  readonly kind: "secret" | "variable";
}

/** The GitHub expression that reads the deploy role's ARN: `secrets.AWS_ROLE_ARN`, or `vars.X`. */
export function roleArnExpression(output: RoleArnOutput): string {
  return `${output.kind === "secret" ? "secrets" : "vars"}.${output.name}`;
}

/** Environment secrets holding the break-glass access key, only while the fallback is enabled. */
export const FALLBACK_SECRETS = {
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
} as const;

/** Stage-wide environment variables. */
export const STAGE_VARIABLES = {
  region: "AWS_REGION",
  accountId: "AWS_ACCOUNT_ID",
  cluster: "ECS_CLUSTER",
} as const;

/** What the workflows need to know of one service. */
export type ServiceField =
  | "repository"
  | "service"
  | "taskDefinition"
  | "containerName"
  /** The CloudWatch log group of its containers, which the deploy summary links to. */
  | "logGroup";

/**
 * A service's own names for its variables (`services.<key>.variableNames`), for teams whose
 * workflows already read other names; `cluster` adds a variable of the service's own holding
 * the cluster's name (`ECS_CLUSTER_BACKEND`). Flat layout only.
 */
export type ServiceVariableNames = Partial<Record<ServiceField | "cluster", string>>;

/**
 * Per-service environment variable names of the flat layout, e.g. `ECR_REPOSITORY_BACKEND`, or
 * the service's own where it names them.
 */
export function serviceVariables(
  service: string,
  own: ServiceVariableNames = {},
): Record<ServiceField, string> {
  const suffix = variableSuffix(service);
  return {
    repository: own.repository ?? `ECR_REPOSITORY_${suffix}`,
    service: own.service ?? `ECS_SERVICE_${suffix}`,
    taskDefinition: own.taskDefinition ?? `ECS_TASK_DEFINITION_${suffix}`,
    containerName: own.containerName ?? `ECS_CONTAINER_NAME_${suffix}`,
    logGroup: own.logGroup ?? `ECS_LOG_GROUP_${suffix}`,
  };
}

/** The compact layout's one variable: every service's fields as JSON, keyed by service. */
export const SERVICES_VARIABLE = "DELIVERY_SERVICES";

/**
 * How the stage writes its services' names:
 * - `flat`: one variable per service and field (`ECR_REPOSITORY_BACKEND`, ...), what teams'
 *   hand-written workflows read;
 * - `compact`: one JSON variable, {@link SERVICES_VARIABLE}, so a stage of many services fits in
 *   GitHub's 100 variables per environment.
 */
export type VariableLayout = "flat" | "compact";

/** What one environment variable holds. */
export type VariableValue =
  | { readonly kind: "region" }
  | { readonly kind: "account" }
  /** The cluster's name: the stage's variable, or one a service names (`variableNames.cluster`). */
  | { readonly kind: "cluster"; readonly service?: string }
  | { readonly kind: "serviceField"; readonly service: string; readonly field: ServiceField }
  | { readonly kind: "services" }
  | { readonly kind: "config"; readonly value: string }
  /** A role's ARN (`roles.<key>.githubOutput`). */
  | { readonly kind: "roleArn"; readonly role: string }
  /** The deploy role's ARN (`deployRole.githubOutput.kind: variable`). */
  | { readonly kind: "deployRoleArn" }
  /** A secret's Secrets Manager name (`secrets.<key>.githubVariable`). */
  | { readonly kind: "secretName"; readonly secret: string };

/** What decides the stage's environment variables. */
export interface VariablesInput {
  readonly layout: VariableLayout;
  readonly cluster: boolean;
  /** Each service, how it runs (what of it there is to name), and its own variable names. */
  readonly services: readonly {
    readonly key: string;
    readonly run: ServiceRun;
    readonly names?: ServiceVariableNames;
  }[];
  /** The deploy role's ARN as a variable (`deployRole.githubOutput.kind: variable`). */
  readonly deployRoleArn?: string;
  /** `delivery:github.variables`. */
  readonly user: Readonly<Record<string, string>>;
  /** Roles whose ARN the environment gets as a variable: variable name → role key. */
  readonly roleArns?: Readonly<Record<string, string>>;
  /** Secrets whose name the environment gets: variable name → secret key. */
  readonly secretNames?: Readonly<Record<string, string>>;
}

/**
 * How a service runs, which decides what of it there is to name: `image`, only its repository
 * (something else runs it); `task`, a task definition too; `service`, also an ECS service on
 * the stage's cluster.
 */
export type ServiceRun = "image" | "task" | "service";

/** The fields the stage writes for a service: only those of resources it has. */
export function serviceFields(run: ServiceRun): ServiceField[] {
  switch (run) {
    case "image":
      return ["repository"];
    case "task":
      return ["repository", "taskDefinition", "containerName", "logGroup"];
    case "service":
      return ["repository", "service", "taskDefinition", "containerName", "logGroup"];
  }
}

/** Every environment variable the stage writes, in the order they are declared. */
export function environmentVariables(
  v: VariablesInput,
): { readonly name: string; readonly value: VariableValue }[] {
  const out: { name: string; value: VariableValue }[] = [
    { name: STAGE_VARIABLES.region, value: { kind: "region" } },
    { name: STAGE_VARIABLES.accountId, value: { kind: "account" } },
  ];
  if (v.cluster) out.push({ name: STAGE_VARIABLES.cluster, value: { kind: "cluster" } });
  if (v.deployRoleArn) out.push({ name: v.deployRoleArn, value: { kind: "deployRoleArn" } });
  if (v.layout === "compact" && v.services.length > 0) {
    out.push({ name: SERVICES_VARIABLE, value: { kind: "services" } });
  }
  if (v.layout === "flat") {
    for (const { key, run, names: own } of v.services) {
      const names = serviceVariables(key, own);
      for (const field of serviceFields(run)) {
        out.push({ name: names[field], value: { kind: "serviceField", service: key, field } });
      }
      if (own?.cluster && v.cluster) {
        out.push({ name: own.cluster, value: { kind: "cluster", service: key } });
      }
    }
  }
  for (const [name, value] of Object.entries(v.user)) {
    out.push({ name, value: { kind: "config", value } });
  }
  for (const [name, role] of Object.entries(v.roleArns ?? {})) {
    out.push({ name, value: { kind: "roleArn", role } });
  }
  for (const [name, secret] of Object.entries(v.secretNames ?? {})) {
    out.push({ name, value: { kind: "secretName", secret } });
  }
  return out;
}

/** The compact layout's value: each service's fields, as the workflows read them. */
export function servicesVariableValue(
  services: readonly {
    readonly key: string;
    readonly fields: Partial<Record<ServiceField, string>>;
  }[],
): string {
  return JSON.stringify(Object.fromEntries(services.map((s) => [s.key, s.fields])));
}

/** docs.github.com, Store information in variables: individual variables are limited to 48 KB. */
export const GITHUB_VARIABLE_MAX_BYTES = 48 * 1024;

/**
 * The GitHub expression for one field of a service, in either layout:
 * `vars.ECR_REPOSITORY_BACKEND` (or the service's own name for it), or
 * `fromJSON(vars.DELIVERY_SERVICES)['backend'].repository`.
 */
export function serviceField(
  layout: VariableLayout,
  service: string,
  field: ServiceField,
  own: ServiceVariableNames = {},
): string {
  return layout === "flat"
    ? `vars.${serviceVariables(service, own)[field]}`
    : `fromJSON(vars.${SERVICES_VARIABLE})['${service}'].${field}`;
}

/** The GitHub expression for the cluster's name as a service's workflow reads it. */
export function clusterField(own: ServiceVariableNames = {}): string {
  return `vars.${own.cluster ?? STAGE_VARIABLES.cluster}`;
}

/**
 * The names the program keeps for its own outputs whatever the services are called, with what
 * each holds: a name config gives may not take one.
 */
export const FIXED_NAMES: Readonly<Record<string, string>> = {
  [ROLE_ARN_SECRET]: "the deploy role's ARN secret",
  [SERVICES_VARIABLE]: "the compact layout's variable",
  ...Object.fromEntries(
    Object.values(FALLBACK_SECRETS).map((n) => [n, "a break-glass key secret"]),
  ),
};

/**
 * Every name the program writes for these services, in either layout; config may not define
 * them again (a layout switch would otherwise collide).
 */
export function reservedNames(services: readonly string[]): Set<string> {
  return new Set([
    ...Object.keys(FIXED_NAMES),
    ...Object.values(STAGE_VARIABLES),
    ...services.flatMap((s) => Object.values(serviceVariables(s))),
  ]);
}

/** Every name {@link reservedNames} holds, with `<SVC>` for a service's suffix, in words. */
export function reservedNamesText(): string {
  return [...reservedNames(["<svc>"])].map((n) => `\`${n}\``).join(", ");
}

/**
 * GitHub's rule for secret and variable names: letters, digits, `_`, not starting with a digit or
 * `GITHUB_` in any letter case. Spelt without the `i` flag, which a JSON Schema pattern (the
 * editor schema) cannot carry.
 */
export const GITHUB_NAME_PATTERN = /^(?![Gg][Ii][Tt][Hh][Uu][Bb]_)[A-Za-z_][A-Za-z0-9_]*$/;

/** docs.github.com, Store information in variables: 100 variables per environment. */
export const GITHUB_VARIABLES_PER_ENVIRONMENT = 100;
