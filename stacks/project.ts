/** The project's config namespace and how config keys are written in messages. */

/** The project name: config keys are `delivery:<key>`. */
export const PROJECT = "delivery";

/** `delivery:services.backend.port`, `delivery:ecs.network.subnets[1]`, from a path under `delivery:`. */
export function keyPath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path;
  let text = `${PROJECT}:${String(top ?? "")}`;
  for (const part of rest) text += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return text;
}
