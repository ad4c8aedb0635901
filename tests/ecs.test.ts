/**
 * Fargate services: task definitions, execution and task roles, log groups and ECS services.
 */
import { strict as assert } from "assert";
import { OfflineRun } from "../scripts/offline";
import { plan, shippedPlans, shippedStack } from "./hooks";
import {
  allows,
  grantedResources,
  ofType,
  one,
  refusedWith,
  rolePolicies,
  secretArn,
  withConfig,
} from "./support";

interface Container {
  name: string;
  image: string;
  essential: boolean;
  portMappings: { containerPort: number }[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  healthCheck: { command: string[] };
  logConfiguration: { logDriver: string; options: Record<string, string> };
  privileged: boolean;
  readonlyRootFilesystem: boolean;
}

const containersOf = (run: OfflineRun, svc: string): Container[] =>
  JSON.parse(
    String(
      one(run, "aws:ecs/taskDefinition:TaskDefinition", `shop-${svc}-task-definition`).inputs
        .containerDefinitions,
    ),
  ) as Container[];

/** The ECS services of a run of a shipped stack: one per service, backend and frontend. */
function servicesOf(run: OfflineRun) {
  const services = ofType(run, "aws:ecs/service:Service");
  assert.equal(services.length, 2, "the shipped stacks run both services");
  return services;
}

describe("Fargate services", () => {
  let staging: OfflineRun;
  let prod: OfflineRun;
  before(async () => {
    ({ staging, prod } = await shippedPlans());
  });

  it("declares a Fargate task definition per service with family <app>-<stage>-<service>, size and architecture", () => {
    const td = one(prod, "aws:ecs/taskDefinition:TaskDefinition", "shop-backend-task-definition");
    assert.equal(td.inputs.family, "shop-prod-backend");
    assert.deepEqual(td.inputs.requiresCompatibilities, ["FARGATE"]);
    assert.equal(td.inputs.networkMode, "awsvpc");
    assert.equal(td.inputs.cpu, "1024");
    assert.equal(td.inputs.memory, "2048");
    assert.deepEqual(td.inputs.runtimePlatform, {
      operatingSystemFamily: "LINUX",
      cpuArchitecture: "ARM64",
    });
  });

  it("health-checks each container on its own port and real health path", () => {
    assert.deepEqual(containersOf(staging, "backend")[0].healthCheck.command, [
      "CMD-SHELL",
      "curl -fsS -o /dev/null http://localhost:5000/api/health || exit 1",
    ]);
    assert.deepEqual(containersOf(staging, "frontend")[0].healthCheck.command, [
      "CMD-SHELL",
      "wget -q -O /dev/null http://localhost:8080/ || exit 1",
    ]);
    assert.deepEqual(
      containersOf(staging, "backend")[0].portMappings.map((p) => p.containerPort),
      [5000],
    );
  });

  it("injects secrets by ARN only, never as plain environment values", () => {
    const [backend] = containersOf(staging, "backend");
    assert.deepEqual(
      backend.secrets.map((s) => [s.name, s.valueFrom]),
      [
        ["DATABASE_URL", secretArn(staging, "shop/staging/database-url")],
        ["JWT_SECRET", secretArn(staging, "shop/staging/jwt-secret")],
        ["OPENAI_API_KEY", secretArn(staging, "shop/staging/openai-key")],
      ],
    );
    assert.deepEqual(
      backend.environment.map((e) => e.name),
      ["LOG_LEVEL", "NODE_ENV"],
    );
    assert.ok(backend.environment.every((e) => !e.value.startsWith("arn:aws:secretsmanager")));
  });

  it("reads one JSON key of a secret when the service asks for it", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.secrets.DB_PASSWORD": {
          secret: "database-url",
          jsonKey: "password",
        },
      }),
    );
    const secret = containersOf(run, "backend")[0].secrets.find((s) => s.name === "DB_PASSWORD");
    assert.equal(secret?.valueFrom, `${secretArn(run, "shop/staging/database-url")}:password::`);
  });

  it("runs unprivileged, read-only root filesystem with writable /tmp, essential, logging to its log group", () => {
    const [c] = containersOf(prod, "backend");
    assert.equal(c.privileged, false);
    assert.equal(c.readonlyRootFilesystem, true);
    assert.equal(c.essential, true);
    assert.equal(c.logConfiguration.logDriver, "awslogs");
    assert.equal(c.logConfiguration.options["awslogs-group"], "/ecs/shop-prod-backend");
    const td = one(prod, "aws:ecs/taskDefinition:TaskDefinition", "shop-backend-task-definition");
    assert.deepEqual(td.inputs.volumes, [{ name: "tmp" }]);
  });

  it("keeps logs for the stage's retention, protected in prod", () => {
    const prodLogs = one(prod, "aws:cloudwatch/logGroup:LogGroup", "shop-backend-logs");
    assert.equal(prodLogs.inputs.retentionInDays, 90);
    assert.equal(prodLogs.options.protect, true);
    const stagingLogs = one(staging, "aws:cloudwatch/logGroup:LogGroup", "shop-backend-logs");
    assert.equal(stagingLogs.inputs.retentionInDays, 30);
    assert.equal(stagingLogs.options.protect, false);
  });

  it("lets each execution role read exactly the secrets its containers reference", () => {
    const all = ["database-url", "jwt-secret", "openai-key"].map((n) =>
      secretArn(staging, `shop/staging/${n}`),
    );
    const backend = rolePolicies(staging, "shop-staging-backend-execution");
    for (const arn of all) assert.ok(allows(backend, "secretsmanager:GetSecretValue", arn));
    const frontend = rolePolicies(staging, "shop-staging-frontend-execution");
    for (const arn of all)
      assert.equal(allows(frontend, "secretsmanager:GetSecretValue", arn), false);
    assert.equal(
      allows(
        backend,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/jwt-secret-abc",
      ),
      false,
    );
  });

  it("lets an execution role pull only its own image and write only its own logs", () => {
    const docs = rolePolicies(staging, "shop-staging-backend-execution");
    assert.ok(
      allows(
        docs,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-backend",
      ),
    );
    assert.equal(
      allows(
        docs,
        "ecr:BatchGetImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-frontend",
      ),
      false,
    );
    assert.equal(
      allows(
        docs,
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-1:123456789012:repository/shop-staging-backend",
      ),
      false,
    );
    assert.ok(
      allows(
        docs,
        "logs:PutLogEvents",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/shop-staging-backend:log-stream:backend/x",
      ),
    );
    assert.equal(
      allows(
        docs,
        "logs:PutLogEvents",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/shop-staging-frontend:log-stream:x",
      ),
      false,
    );
  });

  it("gives the task role no permissions unless config attaches policies", async () => {
    assert.deepEqual(rolePolicies(staging, "shop-staging-backend-task"), []);
    const policyArn = "arn:aws:iam::123456789012:policy/shop-backend-app";
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.taskRolePolicyArns": [policyArn],
      }),
    );
    const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.deepEqual(
      attachments.map((a) => [a.inputs.role, a.inputs.policyArn]),
      [["shop-staging-backend-task", policyArn]],
    );
  });

  it("trusts only ECS tasks of this account for both roles", () => {
    for (const name of ["shop-backend-execution", "shop-backend-task"]) {
      const trust = JSON.parse(
        String(one(staging, "aws:iam/role:Role", name).inputs.assumeRolePolicy),
      ) as {
        Statement: { Principal: unknown; Condition: unknown }[];
      };
      assert.deepEqual(
        trust.Statement.map((s) => s.Principal),
        [{ Service: "ecs-tasks.amazonaws.com" }],
      );
      assert.deepEqual(trust.Statement[0].Condition, {
        StringEquals: { "aws:SourceAccount": "123456789012" },
      });
    }
  });

  it("runs services with a circuit breaker that rolls back, no public IP, in the configured network", () => {
    for (const svc of ofType(prod, "aws:ecs/service:Service")) {
      assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
      assert.equal(svc.inputs.launchType, "FARGATE");
      assert.equal(svc.inputs.desiredCount, 2);
      const net = svc.inputs.networkConfiguration as { assignPublicIp: boolean; subnets: string[] };
      assert.equal(net.assignPublicIp, false);
      assert.deepEqual(net.subnets, ["subnet-0d1e2f3a4b5c60711", "subnet-0e1f2a3b4c5d60712"]);
      assert.equal(svc.inputs.cluster, "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod");
    }
    const backend = one(prod, "aws:ecs/service:Service", "shop-backend-service");
    assert.deepEqual(backend.inputs.loadBalancers, [
      {
        targetGroupArn:
          "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-prod-backend/6d0ecf831eec9f09",
        containerName: "backend",
        containerPort: 5000,
      },
    ]);
    assert.equal(backend.inputs.healthCheckGracePeriodSeconds, 60);
  });

  it("rolls out a new revision without ever running fewer tasks than desired", () => {
    // ECS starts the new tasks first (up to twice the desired count) and stops old ones only once
    // the new ones are healthy, so a deploy never leaves fewer tasks serving than desired.
    for (const run of [staging, prod]) {
      for (const svc of servicesOf(run)) {
        assert.equal(svc.inputs.deploymentMinimumHealthyPercent, 100, svc.name);
        assert.equal(svc.inputs.deploymentMaximumPercent, 200, svc.name);
      }
    }
  });

  it("tags each running task like its service (the stack's tags), so cost allocation sees the tasks", () => {
    for (const run of [staging, prod]) {
      for (const svc of servicesOf(run)) {
        assert.equal(svc.inputs.propagateTags, "SERVICE", svc.name);
        assert.equal(svc.inputs.enableEcsManagedTags, true, svc.name);
      }
    }
  });

  it("keeps earlier task definition revisions registered, so a deploy can roll back to any of them", () => {
    // Without skipDestroy, a replaced or destroyed task definition is deregistered, and the
    // revision the service (or CI's rollback) points at can no longer start tasks.
    for (const run of [staging, prod]) {
      const defs = ofType(run, "aws:ecs/taskDefinition:TaskDefinition");
      assert.equal(defs.length, 2);
      for (const td of defs) assert.equal(td.inputs.skipDestroy, true, td.name);
    }
  });

  it("creates the cluster with Container Insights", () => {
    const [cluster] = ofType(prod, "aws:ecs/cluster:Cluster");
    assert.equal(cluster.inputs.name, "shop-prod");
    assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enhanced" }]);
  });

  it("in pipeline mode deploys the bootstrap tag once and ignores task definition drift", () => {
    for (const svc of ofType(staging, "aws:ecs/service:Service"))
      assert.deepEqual(svc.options.ignoreChanges, ["taskDefinition"]);
    assert.match(containersOf(staging, "backend")[0].image, /\/shop-staging-backend:bootstrap$/);
  });

  it("in stack mode deploys the configured image tag and lets pulumi up roll out task definition changes", async () => {
    const run = await plan(
      withConfig(shippedStack("prod"), {
        "delivery:ecs.imageOwner": "stack",
        "delivery:services.backend.imageTag": "backend-v1.4.2",
        "delivery:services.frontend.imageTag": "frontend-v2.0.0",
      }),
    );
    for (const svc of ofType(run, "aws:ecs/service:Service"))
      assert.deepEqual(svc.options.ignoreChanges, []);
    assert.equal(
      containersOf(run, "backend")[0].image,
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-prod-backend:backend-v1.4.2",
    );
    await refusedWith(
      withConfig(shippedStack("prod"), { "delivery:ecs.imageOwner": "stack" }),
      "delivery:services.backend.imageTag",
      "required",
    );
  });

  it("declares only task definitions when the stage has no network, and no deploy grants for services", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), { "delivery:ecs": { imageOwner: "pipeline" } }),
    );
    assert.equal(ofType(run, "aws:ecs/service:Service").length, 0);
    assert.equal(ofType(run, "aws:ecs/cluster:Cluster").length, 0);
    assert.equal(ofType(run, "aws:ecs/taskDefinition:TaskDefinition").length, 2);
    assert.ok(
      !grantedResources(rolePolicies(run, "shop-staging-deploy")).some((r) =>
        r.includes(":service/"),
      ),
    );
  });

  it("uses an existing cluster and service by name, and grants deploys to exactly that service", async () => {
    const run = await plan(
      withConfig(shippedStack("staging"), {
        "delivery:ecs.cluster": { existingName: "legacy" },
        "delivery:services.backend.existingServiceName": "shop-backend",
      }),
    );
    assert.equal(ofType(run, "aws:ecs/cluster:Cluster").length, 0);
    assert.deepEqual(
      run.calls.filter((c) => c.token === "aws:ecs/getCluster:getCluster").map((c) => c.inputs),
      [{ clusterName: "legacy" }],
    );
    assert.deepEqual(
      ofType(run, "aws:ecs/service:Service").map((s) => s.inputs.name),
      ["shop-staging-frontend"],
    );
    const docs = rolePolicies(run, "shop-staging-deploy");
    assert.ok(
      allows(
        docs,
        "ecs:UpdateService",
        "arn:aws:ecs:eu-west-1:123456789012:service/legacy/shop-backend",
      ),
    );
    assert.ok(
      allows(
        docs,
        "ecs:UpdateService",
        "arn:aws:ecs:eu-west-1:123456789012:service/legacy/shop-staging-frontend",
      ),
    );
  });

  it("refuses a cpu/memory pair Fargate does not run, listing the allowed memory values", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:services.backend.cpu": 256,
        "delivery:services.backend.memory": 4096,
      }),
      "delivery:services.backend.memory",
      "memory 4096 is not allowed with cpu 256",
      "512, 1024, 2048",
    );
  });

  it("exports per service the names CI needs: cluster, service, family, container, log group", () => {
    const services = prod.outputs.services as Record<string, Record<string, string>>;
    assert.deepEqual(services.backend, {
      repositoryName: "shop-prod-backend",
      repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-prod-backend",
      taskDefinitionFamily: "shop-prod-backend",
      containerName: "backend",
      logGroupName: "/ecs/shop-prod-backend",
      executionRoleArn: "arn:aws:iam::123456789012:role/shop-prod-backend-execution",
      taskRoleArn: "arn:aws:iam::123456789012:role/shop-prod-backend-task",
      clusterName: "shop-prod",
      serviceName: "shop-prod-backend",
      serviceArn: "arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-backend",
    });
  });
});
