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
  /** The port a web service listens on; none for a worker. */
  readonly port?: number;
  /** HTTP on the port, a shell command, or none. */
  readonly healthCheck:
    | ({
        readonly kind: "http";
        readonly tool: "curl" | "wget";
        readonly path: string;
      } & HealthCheckTiming)
    | ({ readonly kind: "command"; readonly command: string } & HealthCheckTiming)
    | { readonly kind: "none" };
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Variable → `valueFrom`. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly readonlyRootFilesystem: boolean;
  readonly logGroupName: string;
  readonly region: string;
}

/** ECS's `healthCheck` of a container: HTTP on its port, or a shell command. */
function healthCheckOf(
  h: Exclude<ContainerInputs["healthCheck"], { kind: "none" }>,
  port: number | undefined,
): Record<string, unknown> {
  if (h.kind === "http" && port === undefined) {
    throw new Error("an HTTP health check needs the container's port");
  }
  return {
    command:
      h.kind === "http" ? healthCheckCommand(h.tool, port ?? 0, h.path) : ["CMD-SHELL", h.command],
    interval: h.intervalSeconds,
    timeout: h.timeoutSeconds,
    retries: h.retries,
    startPeriod: h.startPeriodSeconds,
  };
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
    portMappings:
      c.port === undefined ? [] : [{ containerPort: c.port, hostPort: c.port, protocol: "tcp" }],
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.entryPoint ? { entryPoint: [...c.entryPoint] } : {}),
    environment: byName(c.environment, "value"),
    secrets: byName(c.secrets, "valueFrom"),
    ...(c.healthCheck.kind === "none" ? {} : { healthCheck: healthCheckOf(c.healthCheck, c.port) }),
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
