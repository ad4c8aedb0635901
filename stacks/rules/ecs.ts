/** Where services run: a network needs a cluster. */
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
];
