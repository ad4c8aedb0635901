/**
 * Physical names of everything the program creates. One module, so staging and prod of one app
 * never collide in one AWS account and every component agrees on the same name.
 */

/** The two stages the product knows. The stage decides defaults and isolation. */
export type StageName = "staging" | "prod";

export const STAGES: readonly StageName[] = ["staging", "prod"];

/** `<app>-<stage>-<part>`: ECR repositories, task definition families, roles, log groups. */
export function resourceName(app: string, stage: StageName, part?: string): string {
  return part ? `${app}-${stage}-${part}` : `${app}-${stage}`;
}

/** `<app>/<stage>/<secret>`: the Secrets Manager name of a runtime secret. */
export function secretName(app: string, stage: StageName, secret: string): string {
  return `${app}/${stage}/${secret}`;
}

/** `/ecs/<app>-<stage>-<service>`: the CloudWatch log group of a service's containers. */
export function logGroupName(app: string, stage: StageName, service: string): string {
  return `/ecs/${resourceName(app, stage, service)}`;
}

/** The suffix GitHub variable names use for a service: upper-cased, `-` becomes `_`. */
export function variableSuffix(service: string): string {
  return service.toUpperCase().replace(/-/g, "_");
}

/** IAM role names are limited to 64 characters. */
export const IAM_ROLE_NAME_MAX = 64;
