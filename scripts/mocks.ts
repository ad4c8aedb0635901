/**
 * The offline cloud: Pulumi's mock runtime with deterministic, realistic ids and ARNs, and a
 * recorder of exactly what the program hands the engine. The offline plan and the tests both run
 * the real program on top of it; nothing here knows about the program's components.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_URL } from "../lib/subjects";
import { isObject } from "../lib/json";

/** The account the offline plan pretends to run in, unless told otherwise. */
export const DEFAULT_ACCOUNT_ID = "123456789012";

/** Marker Pulumi uses on the wire for a secret value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What every secret value is replaced with in recorded inputs and state. */
export const SECRET_MASK = "[secret]";

/** One resource as the program registered it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Provider-assigned id from the mock (import id when adopting). */
  readonly id: string;
  readonly parent?: string;
  /** Reference to the provider the engine uses for it (`<urn>::<id>`). */
  readonly provider?: string;
  readonly custom: boolean;
  /** Inputs handed to the provider, secrets replaced by {@link SECRET_MASK}. */
  readonly inputs: Record<string, unknown>;
  /** Inputs with secret values in clear; for tests that check a value reaches its resource. */
  readonly rawInputs: Record<string, unknown>;
  /** Top-level input names whose values are (or contain) secrets. */
  readonly secretInputs: readonly string[];
  /** Outputs the mock returned (component outputs for components), secrets masked. */
  state: Record<string, unknown>;
  readonly options: {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly importId?: string;
    readonly dependsOn: readonly string[];
  };
}

/** One data source (invoke) the program called. */
export interface RecordedCall {
  readonly token: string;
  readonly inputs: Record<string, unknown>;
}

/** Where the mock cloud lives. */
export interface MockCloudOptions {
  readonly accountId: string;
  readonly region: string;
}

const hash = (text: string, length: number) =>
  createHash("sha256").update(text).digest("hex").slice(0, length);
/** A deterministic UUID-shaped id (KMS key ids, secret version ids). */
const uuidLike = (name: string) =>
  hash(name, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
/** Text of a JSON value: strings as they are, anything else as JSON, undefined as "". */
const text = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
const isSecretValue = (v: unknown): v is { value: unknown } =>
  isObject(v) && v[SECRET_SIG_KEY] === SECRET_SIG;

/** Replaces secret values by the mask (or unwraps them when `reveal`). */
function clean(value: unknown, reveal: boolean): unknown {
  if (isSecretValue(value)) return reveal ? clean(value.value, reveal) : SECRET_MASK;
  if (Array.isArray(value)) return value.map((v) => clean(v, reveal));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, reveal)]));
  return value;
}

function containsSecret(value: unknown): boolean {
  if (isSecretValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isObject(value)) return Object.values(value).some(containsSecret);
  return false;
}

/** Wraps a value so the SDK treats the resolved output as a secret, as the real provider does. */
const secretValue = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

/**
 * Deterministic ids and outputs per resource type. The shapes follow what the AWS, GitHub and
 * random providers return, so ARNs in policies look like the real ones.
 */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly byUrn = new Map<string, RecordedResource>();

  constructor(readonly options: MockCloudOptions) {}

  /** Forgets everything recorded (between tests). */
  reset(): void {
    this.resources.length = 0;
    this.byUrn.clear();
    this.calls.length = 0;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    const inputs = clean(args.inputs, true) as Record<string, unknown>;
    const { id, state } = this.outputs(args.type, args.name, inputs, args.id);
    // Providers echo their inputs back as outputs; the mock does the same, plus computed values.
    const echoed = args.inputs as Record<string, unknown>;
    return { id, state: { ...echoed, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { accountId, region } = this.options;
    const inputs = clean(args.inputs, true) as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs });
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId,
          arn: `arn:aws:sts::${accountId}:assumed-role/deployer/session`,
          userId: "AROAEXAMPLE:session",
          id: accountId,
        };
      case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": {
        const url = text(inputs.url ?? GITHUB_OIDC_URL);
        const host = url.replace(/^https:\/\//, "");
        const arn = text(inputs.arn ?? `arn:aws:iam::${accountId}:oidc-provider/${host}`);
        return {
          arn,
          id: arn,
          url: host,
          clientIdLists: ["sts.amazonaws.com"],
          thumbprintLists: [],
          tags: {},
        };
      }
      case "aws:ecs/getCluster:getCluster": {
        const name = text(inputs.clusterName);
        return {
          arn: `arn:aws:ecs:${region}:${accountId}:cluster/${name}`,
          id: name,
          clusterName: name,
          status: "ACTIVE",
        };
      }
      case "aws:ecs/getService:getService": {
        const name = text(inputs.serviceName);
        const cluster = text(inputs.clusterArn).split("/").pop() ?? "";
        const arn = `arn:aws:ecs:${region}:${accountId}:service/${cluster}/${name}`;
        return {
          arn,
          id: arn,
          serviceName: name,
          clusterArn: text(inputs.clusterArn),
          desiredCount: 1,
          launchType: "FARGATE",
        };
      }
      case "github:index/getUser:getUser": {
        const login = text(inputs.username);
        return {
          id: text(1000 + parseInt(hash(login, 6), 16)),
          login,
          name: login,
          nodeId: `U_${hash(login, 10)}`,
        };
      }
      case "github:index/getTeam:getTeam": {
        const slug = text(inputs.slug);
        return {
          id: text(500000 + parseInt(hash(slug, 5), 16)),
          slug,
          name: slug,
          nodeId: `T_${hash(slug, 10)}`,
        };
      }
      default:
        throw new Error(
          `the offline cloud has no mock for data source ${args.token}; add one to scripts/mocks.ts`,
        );
    }
  }

  private outputs(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    importId: string | undefined,
  ): { id: string; state: Record<string, unknown> } {
    const { accountId, region } = this.options;
    const physical = (key = "name") => text(inputs[key] ?? `${name}-${hash(type + name, 7)}`);
    switch (type) {
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        const arn = `arn:aws:iam::${accountId}:oidc-provider/${text(inputs.url).replace(/^https:\/\//, "")}`;
        return { id: importId || arn, state: { arn } };
      }
      case "aws:iam/role:Role": {
        const n = physical();
        return {
          id: importId || n,
          state: {
            name: n,
            arn: `arn:aws:iam::${accountId}:role/${n}`,
            uniqueId: `AROA${hash(n, 16).toUpperCase()}`,
          },
        };
      }
      case "aws:iam/rolePolicy:RolePolicy":
        return { id: `${text(inputs.role)}:${physical()}`, state: { name: physical() } };
      case "aws:iam/policy:Policy": {
        const n = physical();
        return {
          id: `arn:aws:iam::${accountId}:policy/${n}`,
          state: { name: n, arn: `arn:aws:iam::${accountId}:policy/${n}` },
        };
      }
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        return { id: `${text(inputs.role)}-${hash(text(inputs.policyArn), 8)}`, state: {} };
      case "aws:iam/user:User": {
        const n = physical();
        return { id: n, state: { name: n, arn: `arn:aws:iam::${accountId}:user/${n}` } };
      }
      case "aws:iam/accessKey:AccessKey":
        return {
          id: `AKIA${hash(name, 16).toUpperCase()}`,
          state: {
            secret: secretValue(`mock-secret-access-key-${hash(name, 20)}`),
            status: "Active",
          },
        };
      case "aws:ecr/repository:Repository": {
        const n = physical();
        return {
          id: importId || n,
          state: {
            name: n,
            arn: `arn:aws:ecr:${region}:${accountId}:repository/${n}`,
            registryId: accountId,
            repositoryUrl: `${accountId}.dkr.ecr.${region}.amazonaws.com/${n}`,
          },
        };
      }
      case "aws:ecr/lifecyclePolicy:LifecyclePolicy":
        return { id: text(inputs.repository), state: { registryId: accountId } };
      case "aws:cloudwatch/logGroup:LogGroup": {
        const n = physical();
        return {
          id: importId || n,
          state: { name: n, arn: `arn:aws:logs:${region}:${accountId}:log-group:${n}` },
        };
      }
      case "aws:secretsmanager/secret:Secret": {
        const n = physical();
        const arn =
          importId || `arn:aws:secretsmanager:${region}:${accountId}:secret:${n}-${hash(n, 6)}`;
        return { id: arn, state: { name: n, arn } };
      }
      case "aws:secretsmanager/secretVersion:SecretVersion": {
        const versionId = uuidLike(name);
        return {
          id: `${text(inputs.secretId)}|${versionId}`,
          state: { versionId, arn: text(inputs.secretId), versionStages: ["AWSCURRENT"] },
        };
      }
      case "random:index/randomPassword:RandomPassword": {
        const length = Number(inputs.length ?? 16);
        const value = `mock-${hash(name, 64)}`.padEnd(length, "x").slice(0, length);
        return {
          id: "none",
          state: {
            result: secretValue(value),
            bcryptHash: secretValue(`$2a$10$${hash(value, 53)}`),
          },
        };
      }
      case "aws:ecs/cluster:Cluster": {
        const n = physical();
        const arn = `arn:aws:ecs:${region}:${accountId}:cluster/${n}`;
        return { id: importId || arn, state: { name: n, arn } };
      }
      case "aws:ecs/taskDefinition:TaskDefinition": {
        const family = text(inputs.family);
        const arn = `arn:aws:ecs:${region}:${accountId}:task-definition/${family}:1`;
        return {
          id: family,
          state: { arn, arnWithoutRevision: arn.replace(/:1$/, ""), revision: 1 },
        };
      }
      case "aws:ecs/service:Service": {
        const n = physical();
        const cluster = text(inputs.cluster ?? "default")
          .split("/")
          .pop();
        const arn = `arn:aws:ecs:${region}:${accountId}:service/${cluster}/${n}`;
        return { id: arn, state: { name: n, arn } };
      }
      case "aws:sns/topic:Topic": {
        const n = physical();
        const arn = `arn:aws:sns:${region}:${accountId}:${n}`;
        return { id: arn, state: { name: n, arn } };
      }
      case "aws:sns/topicSubscription:TopicSubscription":
        return {
          id: `${text(inputs.topic)}:${hash(name, 8)}`,
          state: { arn: `${text(inputs.topic)}:${hash(name, 8)}` },
        };
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const n = physical();
        return {
          id: n,
          state: { name: n, arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${n}` },
        };
      }
      case "aws:kms/key:Key": {
        const keyId = uuidLike(name);
        return {
          id: keyId,
          state: { keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` },
        };
      }
      default:
        if (type.startsWith("pulumi:providers:")) return { id: `${name}-provider-id`, state: {} };
        if (type.startsWith("github:")) return { id: importId || `${name}`, state: {} };
        return { id: importId || `${name}-${hash(type + name, 8)}`, state: {} };
    }
  }

  /**
   * Wraps the mock monitor so every registration is recorded with what the engine receives:
   * URN, parent, inputs and resource options (protect, ignoreChanges, import).
   */
  attachRecorder(): void {
    type Callback = (
      err: Error | null,
      resp?: {
        getUrn(): string;
        getId(): string;
        getObject(): { toJavaScript(): Record<string, unknown> };
      },
    ) => void;
    interface Request {
      getType(): string;
      getName(): string;
      getParent(): string;
      getCustom(): boolean;
      getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
      getProtect(): boolean | undefined;
      getRetainondelete(): boolean | undefined;
      getIgnorechangesList(): string[];
      getImportid(): string;
      getDependenciesList(): string[];
      getProvider(): string;
    }
    interface OutputsRequest {
      getUrn(): string;
      getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
    }
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(req: Request, cb: Callback): void;
      registerResourceOutputs(
        req: OutputsRequest,
        cb: (err: Error | null, resp?: unknown) => void,
      ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
      register(req, (err, resp) => {
        if (!err && resp) {
          const wire = req.getObject()?.toJavaScript() ?? {};
          const inputs = deserialize(wire);
          const recorded: RecordedResource = {
            urn: resp.getUrn(),
            type: req.getType(),
            name: req.getName(),
            id: resp.getId(),
            parent: req.getParent() || undefined,
            provider: req.getProvider() || undefined,
            custom: req.getCustom(),
            inputs: clean(inputs, false) as Record<string, unknown>,
            rawInputs: clean(inputs, true) as Record<string, unknown>,
            secretInputs: Object.keys(inputs).filter((k) => containsSecret(inputs[k])),
            state: clean(deserialize(resp.getObject().toJavaScript()), false) as Record<
              string,
              unknown
            >,
            options: {
              protect: req.getProtect() ?? false,
              retainOnDelete: req.getRetainondelete() ?? false,
              ignoreChanges: req.getIgnorechangesList(),
              importId: req.getImportid() || undefined,
              dependsOn: req.getDependenciesList(),
            },
          };
          this.resources.push(recorded);
          this.byUrn.set(recorded.urn, recorded);
        }
        cb(err, resp);
      });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
      const recorded = this.byUrn.get(req.getUrn());
      if (recorded)
        recorded.state = clean(
          deserialize(req.getOutputs()?.toJavaScript() ?? {}),
          false,
        ) as Record<string, unknown>;
      registerOutputs(req, cb);
    };
  }
}

/** Wire values → plain values; secrets keep their marker so they can be masked or revealed. */
function deserialize(wire: Record<string, unknown>): Record<string, unknown> {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const walk = (v: unknown): unknown => {
    if (v === UNKNOWN) return undefined;
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) {
      if (v[SECRET_SIG_KEY] === SECRET_SIG) return secretValue(walk(v.value));
      if (SECRET_SIG_KEY in v) return undefined; // other special values (resource references, assets) are not used
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, walk(x)]),
      );
    }
    return v;
  };
  return walk(wire) as Record<string, unknown>;
}
