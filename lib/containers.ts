/**
 * The container definition of a service's Fargate task, built from plain values so it can be
 * tested without Pulumi. Secrets go in `secrets` by ARN, never in `environment`.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */

/** Health check timing, in seconds. */
export interface HealthCheckTiming {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

/**
 * The command the container runs to check itself: an HTTP GET of the app's real health path on
 * its own port. The path is validated by the config schema (no shell characters).
 */
export function healthCheckCommand(tool: "curl" | "wget", port: number, path: string): string[] {
  const url = `http://localhost:${port}${path}`;
  const probe = tool === "curl" ? `curl -fsS -o /dev/null ${url}` : `wget -q -O /dev/null ${url}`;
  return ["CMD-SHELL", `${probe} || exit 1`];
}

/** `valueFrom` of a container secret: the secret's ARN, or one JSON key of it. */
export function secretValueFrom(secretArn: string, jsonKey?: string): string {
  // Format: arn:...:secret:name-AbCdEf:json-key:version-stage:version-id
  return jsonKey ? `${secretArn}:${jsonKey}::` : secretArn;
}

/** Inputs of {@link containerDefinition}; every ARN already resolved. */
export interface ContainerInputs {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly healthCheck: {
    readonly tool: "curl" | "wget";
    readonly path: string;
  } & HealthCheckTiming;
  readonly environment: Readonly<Record<string, string>>;
  /** Variable → `valueFrom`. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly readonlyRootFilesystem: boolean;
  readonly logGroupName: string;
  readonly region: string;
}

/** Writable scratch space when the root filesystem is read-only. */
export const TMP_VOLUME = "tmp";

/** One essential container, as ECS's `containerDefinitions` JSON expects it. */
export function containerDefinition(c: ContainerInputs): Record<string, unknown> {
  const byName = (record: Readonly<Record<string, string>>, valueKey: "value" | "valueFrom") =>
    Object.keys(record)
      .sort()
      .map((name) => ({ name, [valueKey]: record[name] }));
  return {
    name: c.name,
    image: c.image,
    essential: true,
    portMappings: [{ containerPort: c.port, hostPort: c.port, protocol: "tcp" }],
    environment: byName(c.environment, "value"),
    secrets: byName(c.secrets, "valueFrom"),
    healthCheck: {
      command: healthCheckCommand(c.healthCheck.tool, c.port, c.healthCheck.path),
      interval: c.healthCheck.intervalSeconds,
      timeout: c.healthCheck.timeoutSeconds,
      retries: c.healthCheck.retries,
      startPeriod: c.healthCheck.startPeriodSeconds,
    },
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": c.logGroupName,
        "awslogs-region": c.region,
        "awslogs-stream-prefix": c.name,
      },
    },
    privileged: false,
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    mountPoints: c.readonlyRootFilesystem
      ? [{ sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }]
      : [],
  };
}
