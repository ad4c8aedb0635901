/**
 * Adopting existing resources: ids for things this stack declares, names that agree with the
 * adopted resource, and only adoptions that keep the existing value.
 */
import { byKey } from "../../lib/order";
import { secretNameFromArn } from "../names";
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

const at = `${PROJECT}:adopt`;

export const adoptionRules: readonly Rule[] = [
  rule(["adopt", "services", "secrets", "oidc", "ecs"], (c, ctx) => {
    const problems: string[] = [];
    for (const [section, known, what] of [
      ["repositories", ctx.declared.services, "service"],
      ["logGroups", ctx.declared.services, "service"],
      ["secrets", ctx.declared.secrets, "secret"],
    ] as const) {
      for (const [name] of byKey(c.adopt[section])) {
        if (!known.has(name)) {
          problems.push(
            `${at}.${section}.${name}: no ${what} "${name}" is declared. Fix: use one of ${[...known].join(", ")}`,
          );
        }
      }
    }
    for (const [name] of byKey(c.adopt.logGroups)) {
      if (c.services[name]?.kind === "image") {
        problems.push(
          `${at}.logGroups.${name}: service ${name} is an image (kind: image), which runs no task here and has no log group. Fix: remove it`,
        );
      }
    }
    for (const [name, id] of byKey(c.adopt.repositories)) {
      const repositoryName = c.services[name]?.repositoryName;
      if (repositoryName !== undefined && repositoryName !== id) {
        problems.push(
          `${at}.repositories.${name}: adopts "${id}" but services.${name}.repositoryName is "${repositoryName}". Fix: remove repositoryName`,
        );
      }
    }
    for (const [name, arn] of byKey(c.adopt.secrets)) {
      const secret = c.secrets[name];
      if (secret?.name !== undefined && secretNameFromArn(arn) !== secret.name) {
        problems.push(
          `${at}.secrets.${name}: the ARN does not belong to secrets.${name}.name "${secret.name}". Fix: remove name; it is taken from the ARN`,
        );
      }
      if (secret?.source === "generated") {
        problems.push(
          `${at}.secrets.${name}: adopting a generated secret would replace its current value with a new random one. Fix: declare secrets.${name} with source: external (keeps the value) or source: config`,
        );
      }
    }
    if (c.adopt.oidcProvider !== undefined && c.oidc.mode !== "create") {
      problems.push(
        `${at}.oidcProvider: only a stack that manages the provider adopts it. Fix: set delivery:oidc.mode: create, or remove this`,
      );
    }
    const cluster = c.ecs.cluster;
    if (c.adopt.cluster !== undefined && (cluster === undefined || !("create" in cluster))) {
      problems.push(
        `${at}.cluster: only a stack that manages the cluster adopts it. Fix: set delivery:ecs.cluster.create: true, or use existingName`,
      );
    }
    if (
      c.adopt.cluster !== undefined &&
      cluster !== undefined &&
      "create" in cluster &&
      cluster.name !== undefined &&
      cluster.name !== c.adopt.cluster
    ) {
      problems.push(
        `${at}.cluster: adopts "${c.adopt.cluster}" but ecs.cluster.name is "${cluster.name}". Fix: remove ecs.cluster.name; it is taken from the adopted cluster`,
      );
    }
    return problems;
  }),
];
