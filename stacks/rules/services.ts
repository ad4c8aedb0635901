/**
 * Services ECS can start: a Fargate size AWS accepts, secrets that exist, no credential in plain
 * environment variables, an image the stage's image owner provides.
 */
import { credentialKind, isSecretLikeName } from "../../lib/credentials";
import { FARGATE_SIZES, fargateSizeProblem } from "../../lib/fargate";
import { adminClassReason } from "../../lib/adminPolicies";
import { policyNameOf } from "../../lib/arns";
import { byKey } from "../../lib/order";
import { PROJECT } from "../project";
import { NAME_PATTERN } from "../schema";
import { isPlaced, runsTasks, taskServiceEntries } from "../stage";
import { Rule, rule } from "./rule";

const at = (svc: string) => `${PROJECT}:services.${svc}`;

export const serviceRules: readonly Rule[] = [
  rule(["services", "adopt"], (c, ctx) => {
    const problems: string[] = [];
    for (const svc of ctx.declared.services) {
      if (!NAME_PATTERN.test(svc) || svc.length > 24) {
        problems.push(
          `${at(svc)}: service name "${svc}" must be lowercase letters, digits and "-" (at most 24, starting with a letter). Fix: e.g. "backend"`,
        );
      }
    }
    for (const [svc, s] of byKey(c.services)) {
      const repositoryFrom = [
        ["existingRepository", s.existingRepository !== undefined],
        ["repositoryName", s.repositoryName !== undefined],
        [`adopt.repositories.${svc}`, c.adopt.repositories[svc] !== undefined],
      ].filter(([, set]) => set);
      if (repositoryFrom.length > 1) {
        problems.push(
          `${at(svc)}.existingRepository: the repository comes from one place only, but ${repositoryFrom.map(([k]) => k).join(" and ")} are set. Fix: existingRepository to use one someone else manages, adopt.repositories to take one over, repositoryName to create one under that name`,
        );
      }
      // An image has no task: the schema refuses every key of one.
      if (!runsTasks(s)) continue;
      // Fargate's allowed pairs: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
      const size = fargateSizeProblem(s.cpu, s.memory);
      if (size) problems.push(`${at(svc)}.${FARGATE_SIZES.has(s.cpu) ? "memory" : "cpu"}: ${size}`);
      if (s.executionRoleArn !== undefined) {
        const created = Object.values(s.secrets)
          .map((ref) => (typeof ref === "string" ? ref : ref.secret))
          .filter((secret) => c.adopt.secrets[secret] === undefined);
        if (created.length > 0) {
          problems.push(
            `${at(svc)}.executionRoleArn: the existing execution role cannot have been granted ${[...new Set(created)].join(", ")}, which this stack creates (a new ARN), so the tasks would fail to start. Fix: adopt those secrets (delivery:adopt.secrets) and grant the role yourself, or let this stack create the execution role`,
          );
        }
      }
      if (s.taskRoleArn !== undefined && s.taskRolePolicyArns.length > 0) {
        problems.push(
          `${at(svc)}.taskRolePolicyArns: the service runs with the existing task role ${s.taskRoleArn}, which this stack never changes. Fix: attach the policies to that role yourself, or remove taskRoleArn`,
        );
      }
      if (s.kind === "web") {
        if (s.port === undefined) {
          problems.push(
            `${at(svc)}.port: a web service needs the port its container listens on. Fix: e.g. port: 5000, or kind: worker for a service that serves no traffic`,
          );
        }
        if (s.healthCheckPath === undefined) {
          problems.push(
            `${at(svc)}.healthCheckPath: the path the app answers health checks on is required. Fix: e.g. "/api/health", or kind: worker for a service without HTTP`,
          );
        }
        if (s.healthCheck !== undefined) {
          problems.push(
            `${at(svc)}.healthCheck: a web service is checked over HTTP at healthCheckPath. Fix: remove healthCheck, or set kind: worker`,
          );
        }
      } else {
        for (const [key, set] of [
          ["port", s.port !== undefined],
          ["healthCheckPath", s.healthCheckPath !== undefined],
          ["targetGroupArn", s.targetGroupArn !== undefined],
        ] as const) {
          if (set) {
            problems.push(
              `${at(svc)}.${key}: a worker has no port, HTTP health check or load balancer (ECS would kill a task that fails a check it cannot answer). Fix: remove ${key}, or set kind: web; check a worker with healthCheck: { command: ... }`,
            );
          }
        }
      }
      for (const variable of Object.keys(s.secrets)) {
        if (Object.hasOwn(s.environment, variable)) {
          problems.push(
            `${at(svc)}.environment.${variable}: also set as a secret. Fix: keep it only under secrets`,
          );
        }
      }
      const byName = new Map<string, string>();
      s.taskRolePolicyArns.forEach((arn, i) => {
        const name = policyNameOf(arn);
        const other = byName.get(name);
        if (other !== undefined) {
          problems.push(
            `${at(svc)}.taskRolePolicyArns[${i}]: a second policy named ${name} (the other is ${other}); the task role's attachments are keyed by policy name. Fix: attach one of them only`,
          );
        }
        byName.set(name, arn);
        const admin = adminClassReason(arn);
        if (admin) {
          problems.push(
            `${at(svc)}.taskRolePolicyArns[${i}]: ${name} is an admin-class AWS-managed policy: it ${admin}, so a compromised task would own the account. Fix: attach a policy with exactly the actions the app needs`,
          );
        }
      });
      for (const [variable, value] of Object.entries(s.environment)) {
        const kind = credentialKind(String(value));
        if (isSecretLikeName(variable) || kind) {
          problems.push(
            `${at(svc)}.environment.${variable}: ${kind ? `holds what looks like ${kind}` : "looks like a secret by its name"}, and container environment values are plain text in the task definition. Fix: declare it in delivery:secrets and reference it under ${at(svc)}.secrets`,
          );
        }
      }
    }
    return problems;
  }),

  rule(["services", "secrets"], (c, ctx) => {
    const problems: string[] = [];
    const declared = ctx.declared.secrets;
    for (const [svc, s] of taskServiceEntries(c.services)) {
      for (const [variable, ref] of Object.entries(s.secrets)) {
        const name = typeof ref === "string" ? ref : ref.secret;
        if (!declared.has(name)) {
          const known = declared.size ? ` or use one of ${[...declared].join(", ")}` : "";
          problems.push(
            `${at(svc)}.secrets.${variable}: secret "${name}" is not declared. Fix: add it under delivery:secrets${known}`,
          );
        }
        if (typeof ref !== "string" && ref.jsonKey !== undefined) {
          if (c.secrets[name]?.source === "generated") {
            problems.push(
              `${at(svc)}.secrets.${variable}.jsonKey: secret "${name}" is a generated password, not JSON, so ECS could not start the task. Fix: remove jsonKey`,
            );
          }
        }
      }
    }
    return problems;
  }),

  // IAM quota "Managed policies per role": config attaches the task role's policies itself.
  rule(["services", "quotas"], (c) =>
    taskServiceEntries(c.services).flatMap(([svc, s]) =>
      s.taskRolePolicyArns.length > c.quotas.managedPoliciesPerRole
        ? [
            `${at(svc)}.taskRolePolicyArns: ${s.taskRolePolicyArns.length} policies, over IAM's quota "Managed policies per role" of ${c.quotas.managedPoliciesPerRole}. Fix: combine policies, or raise the quota in Service Quotas (IAM) and set delivery:quotas.managedPoliciesPerRole to the new value`,
          ]
        : [],
    ),
  ),

  rule(["services", "ecs"], (c) => {
    const problems: string[] = [];
    for (const [svc, s] of taskServiceEntries(c.services)) {
      if (c.ecs.imageOwner === "stack" && s.imageTag === undefined) {
        problems.push(
          `${at(svc)}.imageTag: required when delivery:ecs.imageOwner is "stack". Fix: set the tag to deploy, e.g. "backend-v1.0.0"`,
        );
      }
      if (c.ecs.imageOwner === "pipeline" && s.imageTag !== undefined) {
        problems.push(
          `${at(svc)}.imageTag: set, but delivery:ecs.imageOwner is "pipeline" (CI owns the image). Fix: remove imageTag, or set delivery:ecs.imageOwner: stack`,
        );
      }
      // An existing service keeps its own network: only the cluster it runs on is needed.
      // A cluster this stack creates cannot hold a service that exists already: the lookup
      // would fail in pulumi up, after the cluster was created.
      if (
        s.existingServiceName !== undefined &&
        (c.ecs.cluster === undefined || "create" in c.ecs.cluster)
      ) {
        problems.push(
          `${at(svc)}.existingServiceName: needs the existing cluster it runs on, or CI could not be granted the service. Fix: set delivery:ecs.cluster: { existingName: <its cluster> }`,
        );
      }
      if (s.existingServiceName !== undefined && s.autoscaling !== undefined) {
        problems.push(
          `${at(svc)}.autoscaling: the existing service's scaling is its owner's; registering a scalable target here would take over theirs (and destroying the stack would remove it). Fix: remove autoscaling, or let this stack create the service`,
        );
      }
    }
    return problems;
  }),
];

/** Autoscaling scales an ECS service: it needs one, a range and something to track. */
export const autoscalingRules: readonly Rule[] = [
  rule(["services", "ecs"], (c) =>
    taskServiceEntries(c.services).flatMap(([svc, s]) => {
      const a = s.autoscaling;
      if (!a) return [];
      const problems: string[] = [];
      if (!isPlaced(c.ecs, s)) {
        problems.push(
          `${at(svc)}.autoscaling: Application Auto Scaling scales an ECS service, and the stage runs this service as none (it needs delivery:ecs.cluster and delivery:ecs.network). Fix: add them, or remove autoscaling`,
        );
      }
      if (a.minTasks > a.maxTasks) {
        problems.push(
          `${at(svc)}.autoscaling.minTasks: ${a.minTasks} is more than maxTasks ${a.maxTasks}; RegisterScalableTarget refuses it. Fix: make minTasks at most maxTasks`,
        );
      }
      if (a.cpuTarget === undefined && a.memoryTarget === undefined) {
        problems.push(
          `${at(svc)}.autoscaling: nothing to track, so the task count would never change. Fix: set cpuTarget and/or memoryTarget (percent), e.g. cpuTarget: 60`,
        );
      }
      return problems;
    }),
  ),
];
