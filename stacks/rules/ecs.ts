/**
 * Where services run: a network needs a cluster, and a cluster needs services; what only a
 * stage with services uses is refused without them.
 */
import { ROLE_ARN_SECRET } from "../../lib/variables";
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
  // Images only: nothing of this stage runs them, so nothing deploys a tag the stack owns.
  rule(["ecs", "services"], (c, ctx) => {
    const keys = [...ctx.declared.services];
    const imagesOnly = keys.length > 0 && keys.every((k) => c.services[k]?.kind === "image");
    return imagesOnly && c.ecs.imageOwner === "stack"
      ? [
          `${PROJECT}:ecs.imageOwner: the stage's services are all images (kind: image), which no task definition of this stack runs, so there is no image tag for the stack to own. Fix: remove it`,
        ]
      : [];
  }),
  rule(["ecs", "services"], (c, ctx) => {
    if (c.ecs.cluster === undefined && c.ecs.network === undefined) return [];
    const key = `${PROJECT}:ecs.${c.ecs.cluster !== undefined ? "cluster" : "network"}`;
    if (ctx.declared.services.size === 0) {
      return [
        `${key}: the stage has no services to run there, so nothing would use it. Fix: remove delivery:ecs.cluster and delivery:ecs.network, or declare the services`,
      ];
    }
    // A service whose settings did not parse may run on ECS: only images are known not to.
    const images = [...ctx.declared.services].every((k) => c.services[k]?.kind === "image");
    return images
      ? [
          `${key}: the stage's services are all images (kind: image), which something else runs, so nothing would use it. Fix: remove delivery:ecs.cluster and delivery:ecs.network, or set kind: web or worker on the services to run here`,
        ]
      : [];
  }),
  // Keys that only mean something for a deploy role or deploy workflows, which need services.
  rule(["services", "deployRole", "github"], (c, ctx) => {
    if (ctx.declared.services.size > 0) return [];
    const g = c.deployRole.grants;
    const set: [string, boolean][] = [
      ["deployRole.subjects", c.deployRole.subjects.length > 0],
      [
        "deployRole.grants",
        g.readSecrets.length + g.managedPolicyArns.length + g.lambdaFunctions.length > 0 ||
          g.cdkBootstrap !== undefined,
      ],
      // The default name is the contract with the credential check; any other was asked for.
      [
        "deployRole.githubOutput",
        c.deployRole.githubOutput.name !== ROLE_ARN_SECRET ||
          c.deployRole.githubOutput.kind !== "secret",
      ],
      ["github.commitWorkflows", c.github.commitWorkflows],
      ["github.deployEvents", c.github.deployEvents.includes("release")],
    ];
    return set
      .filter(([, on]) => on)
      .map(
        ([key]) =>
          `${PROJECT}:${key}: a stage without services has no deploy role and no deploy workflows, so this would do nothing. Fix: remove it, or give the grants to an extra role (delivery:roles)`,
      );
  }),
];
