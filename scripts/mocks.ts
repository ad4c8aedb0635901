/**
 * The offline cloud: Pulumi's mock runtime with deterministic, realistic ids and ARNs, and a
 * recorder of exactly what the program hands the engine. The offline plan and the tests both run
 * the real program on top of it; nothing here knows about the program's components.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_URL } from "../lib/subjects";
import { ecrRegistry, partitionOf } from "../lib/arns";
import { isObject } from "../lib/json";
import { PROJECT } from "../stacks/project";

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
    /** URNs the resource was known by before (`aliases`), so a rename keeps its state. */
    readonly aliases: readonly string[];
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

/** A promise and the function that rejects it. */
function rejecter(): { promise: Promise<never>; reject: (error: Error) => void } {
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<never>((_, r) => (reject = r));
  return { promise, reject };
}

/** What a resource mock gets: the registration, and the account and region of the cloud. */
interface MockRequest {
  /** Logical name. */
  readonly name: string;
  /** Inputs, secrets unwrapped. */
  readonly inputs: Record<string, unknown>;
  /** The `import` option's id, when the program adopts an existing resource. */
  readonly importId?: string;
  readonly accountId: string;
  readonly region: string;
}

/** The provider's id and computed outputs of one resource (inputs are echoed besides). */
type ResourceMock = (r: MockRequest) => { id: string; state: Record<string, unknown> };

/** The physical name the program gave (`name` by default). */
const given = (r: MockRequest, key = "name"): string => text(r.inputs[key]);
/** A random-looking suffix of the alphabet AWS uses for secret ARNs and ids. */
function alnum(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (const b of createHash("sha256").update(`${seed}#${round}`).digest())
      out += alphabet[b % 62];
  }
  return out.slice(0, length);
}
/** A numeric GitHub id, stable per seed. */
const githubId = (seed: string) => String(1_000_000 + parseInt(hash(seed, 7), 16));

/**
 * Every resource type the program may declare, with the id and computed outputs the real
 * provider returns (formats read from terraform-provider-aws, terraform-provider-github and
 * terraform-provider-random: the resource's `SetId` and its computed attributes). A type missing
 * here is a program error offline, so nothing plans with a made-up id or a missing ARN.
 */
export const RESOURCE_MOCKS: Readonly<Record<string, ResourceMock>> = {
  "pulumi:providers:aws": (r) => ({ id: `${r.name}-provider-id`, state: {} }),
  "pulumi:providers:github": (r) => ({ id: `${r.name}-provider-id`, state: {} }),
  "pulumi:providers:random": (r) => ({ id: `${r.name}-provider-id`, state: {} }),
  // iam/openid_connect_provider.go: id = ARN; the API returns the URL without its scheme.
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (r) => {
    const host = given(r, "url").replace(/^https:\/\//, "");
    const arn = `arn:${partitionOf(r.region)}:iam::${r.accountId}:oidc-provider/${host}`;
    return { id: arn, state: { arn, url: host } };
  },
  // iam/role.go: id = name; unique_id is AROA + 17 characters.
  "aws:iam/role:Role": (r) => {
    const n = given(r);
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${partitionOf(r.region)}:iam::${r.accountId}:role/${n}`,
        uniqueId: `AROA${alnum(n, 17).toUpperCase()}`,
      },
    };
  },
  // iam/role_policy.go: id = role:policy.
  "aws:iam/rolePolicy:RolePolicy": (r) => ({
    id: `${given(r, "role")}:${given(r)}`,
    state: { name: given(r) },
  }),
  // iam/policy.go: id = ARN.
  "aws:iam/policy:Policy": (r) => {
    const arn = `arn:${partitionOf(r.region)}:iam::${r.accountId}:policy/${given(r)}`;
    return {
      id: arn,
      state: { name: given(r), arn, policyId: `ANPA${alnum(arn, 17).toUpperCase()}` },
    };
  },
  // iam/role_policy_attachment.go: id = role/policy_arn.
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (r) => ({
    id: `${given(r, "role")}/${given(r, "policyArn")}`,
    state: {},
  }),
  // iam/user_policy_attachment.go: id = user/policy_arn.
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": (r) => ({
    id: `${given(r, "user")}/${given(r, "policyArn")}`,
    state: {},
  }),
  // iam/user.go: id = name; unique_id is AIDA + 17 characters.
  "aws:iam/user:User": (r) => {
    const n = given(r);
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${partitionOf(r.region)}:iam::${r.accountId}:user/${n}`,
        uniqueId: `AIDA${alnum(n, 17).toUpperCase()}`,
      },
    };
  },
  // iam/access_key.go: id = the access key id; the secret is sensitive.
  "aws:iam/accessKey:AccessKey": (r) => ({
    id: `AKIA${alnum(r.name, 16).toUpperCase()}`,
    state: {
      secret: secretValue(alnum(`secret-${r.name}`, 40)),
      status: "Active",
    },
  }),
  // ecr/repository.go: id = name.
  "aws:ecr/repository:Repository": (r) => {
    const n = given(r);
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${partitionOf(r.region)}:ecr:${r.region}:${r.accountId}:repository/${n}`,
        registryId: r.accountId,
        repositoryUrl: `${ecrRegistry(r.accountId, r.region)}/${n}`,
      },
    };
  },
  // ecr/lifecycle_policy.go: id = repository name.
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (r) => ({
    id: given(r, "repository"),
    state: { registryId: r.accountId },
  }),
  // logs/group.go: id = name; the ARN has no trailing ":*".
  "aws:cloudwatch/logGroup:LogGroup": (r) => {
    const n = given(r);
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${partitionOf(r.region)}:logs:${r.region}:${r.accountId}:log-group:${n}`,
      },
    };
  },
  // secretsmanager/secret.go: id = ARN, ending in the name and 6 random characters.
  "aws:secretsmanager/secret:Secret": (r) => {
    const n = given(r);
    const arn =
      r.importId ||
      `arn:${partitionOf(r.region)}:secretsmanager:${r.region}:${r.accountId}:secret:${n}-${alnum(n, 6)}`;
    return { id: arn, state: { name: n, arn } };
  },
  // secretsmanager/secret_version.go: id = "<secret_id as given>|<version id>".
  "aws:secretsmanager/secretVersion:SecretVersion": (r) => {
    const versionId = uuidLike(r.name);
    return {
      id: `${given(r, "secretId")}|${versionId}`,
      state: {
        versionId,
        arn: given(r, "secretId"),
        secretArn: given(r, "secretId"),
        versionStages: ["AWSCURRENT"],
      },
    };
  },
  // random resource_password.go: id = "none"; result and bcrypt_hash are sensitive.
  "random:index/randomPassword:RandomPassword": (r) => {
    const length = Number(r.inputs.length ?? 16);
    const value = alnum(`password-${r.name}`, length);
    return {
      id: "none",
      state: {
        result: secretValue(value),
        bcryptHash: secretValue(`$2a$10$${alnum(value, 53)}`),
      },
    };
  },
  // ecs/cluster.go: id = ARN, also after an import by name.
  "aws:ecs/cluster:Cluster": (r) => {
    const n = given(r);
    const arn = `arn:${partitionOf(r.region)}:ecs:${r.region}:${r.accountId}:cluster/${n}`;
    return { id: arn, state: { name: n, arn } };
  },
  // ecs/task_definition.go: id = family; arn carries the revision.
  "aws:ecs/taskDefinition:TaskDefinition": (r) => {
    const family = given(r, "family");
    const arn = `arn:${partitionOf(r.region)}:ecs:${r.region}:${r.accountId}:task-definition/${family}:1`;
    return { id: family, state: { arn, arnWithoutRevision: arn.replace(/:1$/, ""), revision: 1 } };
  },
  // ecs/service.go: id = ARN, service/<cluster>/<name>.
  "aws:ecs/service:Service": (r) => {
    const n = given(r);
    const cluster = given(r, "cluster").split("/").pop() ?? "";
    const arn = `arn:${partitionOf(r.region)}:ecs:${r.region}:${r.accountId}:service/${cluster}/${n}`;
    return { id: arn, state: { name: n, arn } };
  },
  // sns/topic.go: id = ARN.
  "aws:sns/topic:Topic": (r) => {
    const arn = `arn:${partitionOf(r.region)}:sns:${r.region}:${r.accountId}:${given(r)}`;
    return { id: arn, state: { name: given(r), arn, owner: r.accountId } };
  },
  // appautoscaling/target.go: id = the resource id (service/<cluster>/<service>).
  "aws:appautoscaling/target:Target": (r) => ({
    id: given(r, "resourceId"),
    state: {
      arn: `arn:${partitionOf(r.region)}:application-autoscaling:${r.region}:${r.accountId}:scalable-target/${hash(r.name, 32)}`,
      roleArn: `arn:${partitionOf(r.region)}:iam::${r.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
    },
  }),
  // appautoscaling/policy.go: id = the policy's name.
  "aws:appautoscaling/policy:Policy": (r) => ({
    id: given(r),
    state: {
      arn: `arn:${partitionOf(r.region)}:autoscaling:${r.region}:${r.accountId}:scalingPolicy:${uuidLike(r.name)}:resource/ecs/${given(r, "resourceId")}:policyName/${given(r)}`,
    },
  }),
  // sns/topic_policy.go: id = the topic's ARN.
  "aws:sns/topicPolicy:TopicPolicy": (r) => ({
    id: given(r, "arn"),
    state: { owner: r.accountId },
  }),
  // events/rule.go: id = the rule's name on the default bus.
  "aws:cloudwatch/eventRule:EventRule": (r) => {
    const n = given(r);
    return {
      id: n,
      state: { arn: `arn:${partitionOf(r.region)}:events:${r.region}:${r.accountId}:rule/${n}` },
    };
  },
  // events/target.go: id = rule-targetId on the default bus (not parseable; import takes rule/id).
  "aws:cloudwatch/eventTarget:EventTarget": (r) => ({
    id: `${given(r, "rule")}-${given(r, "targetId")}`,
    state: {},
  }),
  // sns/topic_subscription.go: id = ARN ending in a UUID, also while an e-mail is unconfirmed.
  "aws:sns/topicSubscription:TopicSubscription": (r) => {
    const arn = `${given(r, "topic")}:${uuidLike(r.name)}`;
    return {
      id: arn,
      state: { arn, pendingConfirmation: r.inputs.protocol === "email", ownerId: r.accountId },
    };
  },
  // cloudwatch/metric_alarm.go: id = name.
  "aws:cloudwatch/metricAlarm:MetricAlarm": (r) => {
    const n = given(r);
    return {
      id: n,
      state: {
        arn: `arn:${partitionOf(r.region)}:cloudwatch:${r.region}:${r.accountId}:alarm:${n}`,
      },
    };
  },
  // github repository_environment: id = repo:environment.
  "github:index/repositoryEnvironment:RepositoryEnvironment": (r) => ({
    id: `${given(r, "repository")}:${given(r, "environment")}`,
    state: {},
  }),
  // github repository_environment_deployment_policy: id = repo:environment:<policy id>.
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
    r,
  ) => {
    const policyId = githubId(r.name);
    return {
      id: `${given(r, "repository")}:${given(r, "environment")}:${policyId}`,
      state: { policyId },
    };
  },
  // github actions_environment_secret: id = repo:environment:NAME.
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": (r) => ({
    id: `${given(r, "repository")}:${given(r, "environment")}:${given(r, "secretName")}`,
    state: {},
  }),
  // github actions_secret: id = repo:NAME.
  "github:index/actionsSecret:ActionsSecret": (r) => ({
    id: `${given(r, "repository")}:${given(r, "secretName")}`,
    state: {},
  }),
  // github actions_variable: id = repo:NAME.
  "github:index/actionsVariable:ActionsVariable": (r) => ({
    id: `${given(r, "repository")}:${given(r, "variableName")}`,
    state: {},
  }),
  // github actions_environment_variable: id = repo:environment:NAME.
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": (r) => ({
    id: `${given(r, "repository")}:${given(r, "environment")}:${given(r, "variableName")}`,
    state: {},
  }),
  // github actions_repository_oidc_subject_claim_customization_template: id = repository.
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate":
    (r) => ({ id: given(r, "repository"), state: {} }),
  // github repository_ruleset: id = the ruleset's numeric id, as text (import takes repo:id).
  "github:index/repositoryRuleset:RepositoryRuleset": (r) => {
    const rulesetId = Number(githubId(r.name));
    return {
      id: String(rulesetId),
      state: { rulesetId, nodeId: `RRS_${hash(r.name, 16)}`, etag: `W/"${hash(r.name, 64)}"` },
    };
  },
  // github repository_file: id = repo:path:branch (the default branch when none is given).
  "github:index/repositoryFile:RepositoryFile": (r) => {
    const branch = r.inputs.branch === undefined ? "main" : given(r, "branch");
    return {
      id: `${given(r, "repository")}:${given(r, "file")}:${branch}`,
      state: { branch, commitSha: hash(r.name, 40) },
    };
  },
};

/** A data source mock: its outputs, from its inputs. */
type DataSourceMock = (
  inputs: Record<string, unknown>,
  cloud: MockCloudOptions,
) => Record<string, unknown>;

/** Every data source the program may call, with the outputs the real one returns. */
export const DATA_SOURCE_MOCKS: Readonly<Record<string, DataSourceMock>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_, { accountId, region }) => ({
    accountId,
    arn: `arn:${partitionOf(region)}:sts::${accountId}:assumed-role/deployer/session`,
    userId: "AROAEXAMPLEEXAMPLE123:session",
    id: accountId,
  }),
  // iam/openid_connect_provider_data_source.go: id = ARN; url without its scheme.
  "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": (inputs, { accountId, region }) => {
    const host = text(inputs.url ?? GITHUB_OIDC_URL).replace(/^https:\/\//, "");
    const arn = text(
      inputs.arn ?? `arn:${partitionOf(region)}:iam::${accountId}:oidc-provider/${host}`,
    );
    return {
      arn,
      id: arn,
      url: host,
      clientIdLists: ["sts.amazonaws.com"],
      thumbprintLists: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
      tags: {},
    };
  },
  // iam/role_data_source.go: id = name.
  "aws:iam/getRole:getRole": (inputs, { accountId, region }) => {
    const name = text(inputs.name);
    return {
      id: name,
      name,
      arn: `arn:${partitionOf(region)}:iam::${accountId}:role/${name}`,
      assumeRolePolicy: "{}",
      path: "/",
      maxSessionDuration: 3600,
      uniqueId: `AROA${alnum(name, 17).toUpperCase()}`,
      tags: {},
    };
  },
  // ecr/repository_data_source.go: id = name.
  "aws:ecr/getRepository:getRepository": (inputs, { accountId, region }) => {
    const name = text(inputs.name);
    return {
      id: name,
      name,
      arn: `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${name}`,
      registryId: accountId,
      repositoryUrl: `${ecrRegistry(accountId, region)}/${name}`,
      imageTagMutability: "MUTABLE",
      mostRecentImageTags: [],
      tags: {},
    };
  },
  // ecs/cluster_data_source.go: id = ARN.
  "aws:ecs/getCluster:getCluster": (inputs, { accountId, region }) => {
    const name = text(inputs.clusterName);
    const arn = `arn:${partitionOf(region)}:ecs:${region}:${accountId}:cluster/${name}`;
    return { arn, id: arn, clusterName: name, status: "ACTIVE" };
  },
  // ecs/service_data_source.go: id = ARN; cluster_arn always an ARN; task_definition with revision.
  "aws:ecs/getService:getService": (inputs, { accountId, region }) => {
    const name = text(inputs.serviceName);
    const cluster = text(inputs.clusterArn).split("/").pop() ?? "";
    const arn = `arn:${partitionOf(region)}:ecs:${region}:${accountId}:service/${cluster}/${name}`;
    return {
      arn,
      id: arn,
      serviceName: name,
      clusterArn: `arn:${partitionOf(region)}:ecs:${region}:${accountId}:cluster/${cluster}`,
      desiredCount: 1,
      launchType: "FARGATE",
      taskDefinition: `arn:${partitionOf(region)}:ecs:${region}:${accountId}:task-definition/${name}:7`,
    };
  },
  // data_source_github_user.go: id = the numeric user id, as text.
  "github:index/getUser:getUser": (inputs) => {
    const login = text(inputs.username);
    return { id: githubId(`user-${login}`), login, name: login, nodeId: `U_${hash(login, 10)}` };
  },
  // data_source_github_team.go: id = the numeric team id, as text.
  "github:index/getTeam:getTeam": (inputs) => {
    const slug = text(inputs.slug);
    return { id: githubId(`team-${slug}`), slug, name: slug, nodeId: `T_${hash(slug, 10)}` };
  },
};

/**
 * The offline cloud: answers registrations and data sources from the tables above, and records
 * what the program hands the engine.
 */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  private readonly byUrn = new Map<string, RecordedResource>();
  private failed = rejecter();

  constructor(readonly options: MockCloudOptions) {
    this.reset();
  }

  /**
   * Rejects with the first registration or data source the cloud refused since the last reset.
   * The program's outputs that depend on a refused resource never resolve (as in the real
   * engine, which stops the run), so the offline runner races its work against this.
   */
  get failure(): Promise<never> {
    return this.failed.promise;
  }

  /** Forgets everything recorded (between tests). */
  reset(): void {
    this.resources.length = 0;
    this.byUrn.clear();
    this.calls.length = 0;
    this.failed = rejecter();
    // Nobody may be waiting on a run's failure; that is not an unhandled rejection.
    this.failed.promise.catch(() => undefined);
  }

  /** Records that the cloud refused something; the run fails with the first such error. */
  private refuse(error: Error): Error {
    this.failed.reject(error);
    return error;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    if (!args.custom) {
      // Components are the program's own; the engine gives them no id.
      if (!args.type.startsWith(`${PROJECT}:`)) {
        throw this.refuse(
          new Error(`the offline cloud does not know the component type ${args.type}`),
        );
      }
      return { id: "", state: {} };
    }
    const mock = RESOURCE_MOCKS[args.type];
    if (!mock) {
      throw this.refuse(
        new Error(
          `the offline cloud has no mock for resource type ${args.type} (${args.name}); add it to RESOURCE_MOCKS in scripts/mocks.ts with the id and outputs the real provider returns`,
        ),
      );
    }
    const inputs = clean(args.inputs, true) as Record<string, unknown>;
    const { id, state } = mock({
      name: args.name,
      inputs,
      importId: args.id || undefined,
      ...this.options,
    });
    // Providers echo their inputs back as outputs; the mock does the same, plus computed values.
    const echoed = args.inputs as Record<string, unknown>;
    return { id, state: { ...echoed, ...state } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = clean(args.inputs, true) as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs });
    const mock = DATA_SOURCE_MOCKS[args.token];
    if (!mock) {
      throw this.refuse(
        new Error(
          `the offline cloud has no mock for data source ${args.token}; add it to DATA_SOURCE_MOCKS in scripts/mocks.ts`,
        ),
      );
    }
    return mock(inputs, this.options);
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
      getAliasesList(): AliasWire[];
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
        if (!err && resp && this.byUrn.has(resp.getUrn())) {
          // The engine refuses a second registration of one URN at preview; so does the mock.
          cb(
            this.refuse(
              new Error(`Duplicate resource URN '${resp.getUrn()}'; try giving it a unique name`),
            ),
          );
          return;
        }
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
              aliases: req
                .getAliasesList()
                .map((a) => aliasUrn(a, resp.getUrn(), req.getType(), req.getName())),
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

/** An alias as the SDK sends it: a URN, or a spec of what differs from the resource. */
interface AliasWire {
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

/**
 * The URN an alias stands for, as the engine computes it: the spec's name, type, stack, project
 * and parent, each defaulting to the resource's own.
 */
function aliasUrn(alias: AliasWire, urn: string, type: string, name: string): string {
  const spec = alias.getSpec();
  if (!spec) return alias.getUrn();
  const [, stack, project] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(urn) ?? [];
  const qualified = urn.split("::")[2] ?? "";
  const ownParentType = qualified.includes("$")
    ? qualified.slice(0, qualified.lastIndexOf("$"))
    : "";
  const parentType = spec.getNoparent()
    ? ""
    : spec.getParenturn()
      ? (spec.getParenturn().split("::")[2] ?? "")
      : ownParentType;
  const aliasType = spec.getType() || type;
  return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${parentType ? `${parentType}$` : ""}${aliasType}::${spec.getName() || name}`;
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
