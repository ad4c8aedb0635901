import { strict as assert } from "assert";
import {
  ContainerInputs,
  TMP_VOLUME,
  containerDefinition,
  healthCheckCommand,
  secretValueFrom,
} from "../lib/containers";
import { lifecycleRules } from "../lib/ecrLifecycle";

const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/staging/db-AbCdEf";
const jwtArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/staging/jwt-GhIjKl";

const inputs: ContainerInputs = {
  name: "backend",
  image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-staging-backend:bootstrap",
  port: 5000,
  healthCheck: {
    kind: "http",
    tool: "curl",
    path: "/api/health",
    intervalSeconds: 30,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 60,
  },
  environment: { NODE_ENV: "production", LOG_LEVEL: "info" },
  secrets: { JWT_SECRET: jwtArn, DB_PASSWORD: secretValueFrom(secretArn, "password") },
  readonlyRootFilesystem: true,
  logGroupName: "/ecs/shop-staging-backend",
  region: "eu-west-1",
};

type NameValue = { name: string; value?: string; valueFrom?: string };
type Definition = {
  name: string;
  essential: boolean;
  portMappings: { containerPort: number; hostPort: number; protocol: string }[];
  environment: NameValue[];
  secrets: NameValue[];
  healthCheck: {
    command: string[];
    interval: number;
    timeout: number;
    retries: number;
    startPeriod: number;
  };
  logConfiguration: { logDriver: string; options: Record<string, string> };
  privileged: boolean;
  readonlyRootFilesystem: boolean;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
};
const define = (c: ContainerInputs) => containerDefinition(c) as unknown as Definition;

describe("healthCheckCommand", () => {
  for (const tool of ["curl", "wget"] as const) {
    it(`with ${tool}: a shell check of the app's own health URL that fails the container on error`, () => {
      const [kind, command] = healthCheckCommand(tool, 5000, "/api/health");
      assert.equal(kind, "CMD-SHELL");
      assert.match(command, new RegExp(`^${tool} `));
      assert.ok(command.includes(" http://localhost:5000/api/health "), command);
      assert.match(command, /\|\| exit 1$/);
    });
  }

  it("curl fails on HTTP error statuses (-f), so a 500 is unhealthy", () => {
    const [, command] = healthCheckCommand("curl", 8080, "/healthz");
    assert.match(command, /^curl (-\w*f\w*\s)/);
  });

  it("wget does not need curl in the image", () => {
    const [, command] = healthCheckCommand("wget", 8080, "/healthz");
    assert.ok(!command.includes("curl"), command);
    assert.ok(command.includes("http://localhost:8080/healthz"), command);
  });
});

describe("secretValueFrom", () => {
  it("is the secret's ARN for a whole secret", () => {
    assert.equal(secretValueFrom(secretArn), secretArn);
  });

  it("selects one JSON key of the secret's current version", () => {
    assert.equal(secretValueFrom(secretArn, "password"), `${secretArn}:password::`);
  });
});

describe("containerDefinition", () => {
  it("passes secrets only by reference in `secrets`, never in `environment`", () => {
    const def = define(inputs);
    assert.deepEqual(def.secrets, [
      { name: "DB_PASSWORD", valueFrom: `${secretArn}:password::` },
      { name: "JWT_SECRET", valueFrom: jwtArn },
    ]);
    const environment = JSON.stringify(def.environment);
    for (const leaked of ["DB_PASSWORD", "JWT_SECRET", secretArn, jwtArn]) {
      assert.ok(!environment.includes(leaked), `environment mentions ${leaked}: ${environment}`);
    }
  });

  it("sets plain variables in `environment`, sorted by name so the plan does not churn", () => {
    assert.deepEqual(define(inputs).environment, [
      { name: "LOG_LEVEL", value: "info" },
      { name: "NODE_ENV", value: "production" },
    ]);
    const reordered = define({
      ...inputs,
      environment: { LOG_LEVEL: "info", NODE_ENV: "production" },
    });
    assert.deepEqual(reordered.environment, define(inputs).environment);
  });

  it("is an essential, unprivileged container listening on its port", () => {
    const def = define(inputs);
    assert.equal(def.essential, true);
    assert.equal(def.privileged, false);
    assert.deepEqual(def.portMappings, [{ containerPort: 5000, hostPort: 5000, protocol: "tcp" }]);
  });

  it("health-checks its own port and path with the configured timing", () => {
    const def = define({
      ...inputs,
      port: 8080,
      healthCheck: {
        kind: "http",
        tool: "wget",
        path: "/ready",
        intervalSeconds: 30,
        timeoutSeconds: 5,
        retries: 3,
        startPeriodSeconds: 60,
      },
    });
    assert.deepEqual(def.healthCheck.command, [
      "CMD-SHELL",
      "wget -q -O /dev/null http://localhost:8080/ready || exit 1",
    ]);
    assert.deepEqual(
      [
        def.healthCheck.interval,
        def.healthCheck.timeout,
        def.healthCheck.retries,
        def.healthCheck.startPeriod,
      ],
      [30, 5, 3, 60],
    );
  });

  it("with a read-only root filesystem, gives the app a writable /tmp", () => {
    const def = define(inputs);
    assert.equal(def.readonlyRootFilesystem, true);
    assert.deepEqual(def.mountPoints, [
      { sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false },
    ]);
  });

  it("with a writable root filesystem, mounts nothing", () => {
    const def = define({ ...inputs, readonlyRootFilesystem: false });
    assert.equal(def.readonlyRootFilesystem, false);
    assert.deepEqual(def.mountPoints, []);
  });

  it("sends logs to the service's log group with awslogs", () => {
    assert.deepEqual(define(inputs).logConfiguration, {
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/shop-staging-backend",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "backend",
      },
    });
  });
});

// lib/ecrLifecycle.ts has no test file of its own in this set; its rules are about the images these
// containers run.
describe("lifecycleRules", () => {
  const { rules } = lifecycleRules(14, 30);
  const untagged = rules.find((r) => r.selection.tagStatus === "untagged");
  const any = rules.find((r) => r.selection.tagStatus === "any");

  it("expires untagged images the configured number of days after push", () => {
    assert.ok(untagged);
    assert.deepEqual(untagged.selection, {
      tagStatus: "untagged",
      countType: "sinceImagePushed",
      countUnit: "days",
      countNumber: 14,
    });
    assert.equal(untagged.action.type, "expire");
  });

  it("keeps only the configured number of newest images", () => {
    assert.ok(any);
    assert.deepEqual(any.selection, {
      tagStatus: "any",
      countType: "imageCountMoreThan",
      countNumber: 30,
    });
    assert.equal(any.action.type, "expire");
  });

  it("evaluates the `any` rule last, as ECR requires, with unique priorities", () => {
    const priorities = rules.map((r) => r.rulePriority);
    assert.equal(new Set(priorities).size, priorities.length);
    assert.equal(any?.rulePriority, Math.max(...priorities));
  });
});
