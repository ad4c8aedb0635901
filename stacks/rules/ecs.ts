/** Where services run: a network needs a cluster, and a cluster needs services. */
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const ecsRules: readonly Rule[] = [
  rule(["ecs"], (c) =>
    c.ecs.network !== undefined && c.ecs.cluster === undefined
      ? [
          `${PROJECT}:ecs.cluster: services need a cluster when delivery:ecs.network is set. Fix: add cluster: { create: true } or { existingName: <name> }`,
        ]
      : [],
  ),
  rule(["ecs", "services"], (c, ctx) =>
    ctx.declared.services.size === 0 && (c.ecs.cluster !== undefined || c.ecs.network !== undefined)
      ? [
          `${PROJECT}:ecs.${c.ecs.cluster !== undefined ? "cluster" : "network"}: the stage has no services to run there, so nothing would use it. Fix: remove delivery:ecs.cluster and delivery:ecs.network, or declare the services`,
        ]
      : [],
  ),
];
