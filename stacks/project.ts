/** The project's config namespace and how config keys are written in messages. */

/** The project name: config keys are `delivery:<key>`. */
export const PROJECT = "delivery";

/** A GitHub user or organization name (`github:owner`). */
export const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** An AWS region name, e.g. eu-west-1 (`aws:region`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** An AWS account id, as `aws:allowedAccountIds` lists them. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** `delivery:services.backend.port`, `delivery:ecs.network.subnets[1]`, from a path under `delivery:`. */
export function keyPath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path;
  let text = `${PROJECT}:${String(top ?? "")}`;
  for (const part of rest) text += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return text;
}

/** A config value as Pulumi hands it over: objects and lists as JSON text, scalars as text. */
export function parseConfigValue(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}

/** The `delivery:*` part of a stack's config, keyed without the prefix, values parsed. */
export function deliveryValues(values: Readonly<Record<string, string>>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${PROJECT}:`;
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = parseConfigValue(value);
  }
  return raw;
}
