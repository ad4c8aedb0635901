/**
 * Physical names of everything the program creates. One module, so staging and prod of one app
 * never collide in one AWS account and every component agrees on the same name.
 */

/** The two stages the product knows. The stage decides defaults and isolation. */
export type StageName = "staging" | "prod";

export const STAGES: readonly StageName[] = ["staging", "prod"];

/** Tags the program sets on every AWS resource; config may not set them. */
export const PROGRAM_TAG_KEYS = ["app", "stage", "managed-by"] as const;

/*
 * `instance` is the stack name: `staging` or `prod` for the two standard stacks, or e.g.
 * `staging-eu` for another stack of a stage, so two stacks never share a physical name.
 */

/** `<app>-<instance>-<part>`: ECR repositories, task definition families, roles, log groups. */
export function resourceName(app: string, instance: string, part?: string): string {
  return part ? `${app}-${instance}-${part}` : `${app}-${instance}`;
}

/** `<app>/<instance>/<secret>`: the Secrets Manager name of a runtime secret. */
export function secretName(app: string, instance: string, secret: string): string {
  return `${app}/${instance}/${secret}`;
}

/** `/ecs/<app>-<instance>-<service>`: the CloudWatch log group of a service's containers. */
export function logGroupName(app: string, instance: string, service: string): string {
  return `/ecs/${resourceName(app, instance, service)}`;
}

/** The suffix GitHub variable names use for a service: upper-cased, `-` becomes `_`. */
export function variableSuffix(service: string): string {
  return service.toUpperCase().replace(/-/g, "_");
}
