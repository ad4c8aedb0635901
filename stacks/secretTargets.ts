/**
 * Where an external secret's value goes and which services read it, from the stage alone: the
 * Secrets Manager name (or the adopted secret's ARN) and the ECS services whose containers
 * reference it, with the names the program gives them. `npm run secret` reads this, so it never
 * guesses a name.
 */
import { PROJECT } from "./project";
import { Stage, isPlaced, runsTasks } from "./stage";

/** What setting one external secret touches. */
export interface SecretTargets {
  /** `--secret-id` for Secrets Manager: the secret's name, or the adopted secret's ARN. */
  readonly secretId: string;
  readonly region: string;
  /** The accounts the stack may run in, when config says (`aws:allowedAccountIds`). */
  readonly allowedAccountIds?: readonly string[];
  readonly cluster?: string;
  /** ECS services of the stage whose task definitions reference the secret. */
  readonly services: readonly { readonly key: string; readonly name: string }[];
  /** Services that reference it but run no ECS service here (task definitions only). */
  readonly unplaced: readonly string[];
}

/** Why a secret's value may not be set out of band, or its targets. */
export function secretTargets(stage: Stage, key: string): SecretTargets | { problem: string } {
  const secret = stage.secrets.find((s) => s.key === key);
  if (!secret) {
    const known = stage.secrets.map((s) => s.key);
    return {
      problem: `${PROJECT}:secrets has no secret "${key}" in stack ${stage.stack}; its secrets are: ${known.join(", ") || "none"}`,
    };
  }
  if (secret.source.kind !== "external") {
    const how =
      secret.source.kind === "generated"
        ? `raise ${PROJECT}:secrets.${key}.rotation for a new random value`
        : `set it with pulumi config set --secret (the key its source names) and run pulumi up`;
    return {
      problem: `${PROJECT}:secrets.${key} has source "${secret.source.kind}": Pulumi writes its value, and the next pulumi up would overwrite a value set out of band. Fix: ${how}, or make it source: external`,
    };
  }
  const readers = stage.services
    .filter(runsTasks)
    .filter((s) => s.secrets.some((r) => r.secret === key));
  const placed = readers.filter((s) => isPlaced(stage.ecs, s));
  return {
    secretId: secret.adoptArn ?? secret.name,
    region: stage.region,
    allowedAccountIds: stage.allowedAccountIds,
    cluster: stage.ecs.cluster?.name,
    services: placed.map((s) => ({ key: s.key, name: s.names.service })),
    unplaced: readers.filter((s) => !placed.includes(s)).map((s) => s.key),
  };
}
