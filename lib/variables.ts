/**
 * Names of the GitHub environment secrets and variables the stage writes and the app repo's
 * deploy workflows read. The one source of truth: the GitHub component writes exactly these and
 * the workflow templates are generated from them.
 */
import { variableSuffix } from "./naming";

/** Environment secret holding the deploy role's ARN. */
export const ROLE_ARN_SECRET = "AWS_ROLE_ARN";

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

/** Per-service environment variable names, e.g. `ECR_REPOSITORY_BACKEND`. */
export function serviceVariables(service: string): {
  repository: string;
  service: string;
  taskDefinition: string;
  containerName: string;
} {
  const suffix = variableSuffix(service);
  return {
    repository: `ECR_REPOSITORY_${suffix}`,
    service: `ECS_SERVICE_${suffix}`,
    taskDefinition: `ECS_TASK_DEFINITION_${suffix}`,
    containerName: `ECS_CONTAINER_NAME_${suffix}`,
  };
}

/** Every name the program writes for these services; config may not define them again. */
export function reservedNames(services: readonly string[]): Set<string> {
  return new Set([
    ROLE_ARN_SECRET,
    ...Object.values(FALLBACK_SECRETS),
    ...Object.values(STAGE_VARIABLES),
    ...services.flatMap((s) => Object.values(serviceVariables(s))),
  ]);
}

/** GitHub's rule for secret and variable names: letters, digits, `_`, not starting with a digit or `GITHUB_`. */
export const GITHUB_NAME_PATTERN = /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$/i;
