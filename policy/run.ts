/**
 * Runs the pack's policies over resources recorded by the offline plan, without the Pulumi CLI:
 * the same validate functions `index.ts` serves, called with the argument objects the
 * `@pulumi/policy` analyzer builds (see its server.js: `makeAnalyzeRpcFun` for resources,
 * `makeAnalyzeStackRpcFun` for the stack), and the enforcement levels the CLI would apply for a
 * `--policy-pack-config` file.
 *
 * Never import `./index` here or from tests: constructing a `PolicyPack` reads
 * `<cwd>/package.json`, starts the analyzer's gRPC server and prints its port for the CLI, which
 * keeps the process alive (and exits the process if a second pack is constructed).
 */
import type {
  EnforcementLevel,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import {
  DeliveryPolicy,
  PACK_ENFORCEMENT_LEVEL,
  createPolicies,
  stageFromConfig,
} from "./policies";
import type { StackConfig } from "./read";

/**
 * A resource as the offline plan records it (`RecordedResource` in scripts/mocks.ts is one).
 * Only `urn`, `type`, `name` and `inputs` are required, so tests can write bad resources by hand.
 */
export interface PolicyInput {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** What the program hands the provider; the resource policies' `props`. */
  readonly inputs: Record<string, unknown>;
  /** Outputs; with the inputs, the stack policies' `props` (the engine passes outputs there). */
  readonly state?: Record<string, unknown>;
  readonly parent?: string;
  /** The provider reference `<provider urn>::<id>`, when the recorder keeps it. */
  readonly provider?: string;
  readonly options?: {
    readonly protect?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly dependsOn?: readonly string[];
    readonly aliases?: readonly string[];
  };
}

/** One policy's config, as in a `--policy-pack-config` file. */
export type PolicyConfigEntry =
  | EnforcementLevel
  | ({ readonly enforcementLevel?: EnforcementLevel } & Readonly<Record<string, unknown>>);

/** A `--policy-pack-config` file: `all` sets every policy's level, then per-policy entries. */
export type PackConfig = Readonly<Record<string, PolicyConfigEntry>>;

export interface RunPoliciesOptions {
  /** The policy pack config; validated like the CLI does, and unknown policy names refused. */
  readonly config?: PackConfig;
  /**
   * The stack's stage, standing in for what the CLI tells the pack (`delivery:stage` or the stack
   * name); unset, `delivery:stage` of `stackConfig`. The prod-only policies take it unless their
   * own config names a stage; resource tags never count. Unknown: the prod rules apply.
   */
  readonly stackStage?: string;
  /**
   * The stack's config, standing in for the `PULUMI_CONFIG` the CLI hands the pack:
   * `<namespace>:<key>` to text, objects as JSON text (a `ConfigInput`'s `values` is one). The
   * stack policies read `delivery:waivers`, `github:owner` and `delivery:github` from it.
   */
  readonly stackConfig?: StackConfig;
  /** The stack's name, standing in for the `PULUMI_NODEJS_STACK` the CLI hands the pack. */
  readonly stackName?: string;
}

/** A reported violation. */
export interface PolicyViolation {
  readonly policy: string;
  /** The effective level: `mandatory` fails `pulumi preview`/`up`, `advisory` only warns. */
  readonly enforcementLevel: "advisory" | "mandatory";
  /** The resource in violation; undefined when a stack policy blames the stack as a whole. */
  readonly urn?: string;
  readonly message: string;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

interface Effective {
  readonly level: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Levels and config properties per policy, reconciled like the CLI (defaults, `all`, entries). */
function reconcile(
  policies: readonly DeliveryPolicy[],
  config: PackConfig,
): Map<string, Effective> {
  const levelOf = (where: string, value: unknown): EnforcementLevel | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === "string" && (LEVELS as readonly string[]).includes(value))
      return value as EnforcementLevel;
    throw new Error(
      `policy config ${where}: ${JSON.stringify(value)} is not an enforcement level. Fix: use one of ${LEVELS.join(", ")}`,
    );
  };
  const split = (where: string, entry: PolicyConfigEntry) => {
    if (typeof entry === "string") return { level: levelOf(where, entry), properties: {} };
    const { enforcementLevel, ...properties } = entry;
    return { level: levelOf(`${where}.enforcementLevel`, enforcementLevel), properties };
  };
  const names = new Set(policies.map((p) => p.name));
  for (const key of Object.keys(config)) {
    if (key !== "all" && !names.has(key)) {
      throw new Error(
        `policy config names "${key}", which is not a policy of this pack. Fix: use "all" or one of ${[...names].join(", ")}`,
      );
    }
  }
  const all = config.all === undefined ? undefined : split("all", config.all).level;
  const result = new Map<string, Effective>();
  for (const p of policies) {
    const defaults = Object.fromEntries(
      Object.entries(p.configSchema?.properties ?? {})
        .filter(([, schema]) => typeof schema === "object" && schema.default !== undefined)
        .map(([key, schema]) => [key, (schema as { default: unknown }).default]),
    );
    const entry = config[p.name] === undefined ? undefined : split(p.name, config[p.name]);
    result.set(p.name, {
      level: entry?.level ?? all ?? p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL,
      properties: { ...defaults, ...entry?.properties },
    });
  }
  return result;
}

/** What `args.notApplicable()` throws; the analyzer logs the reason and moves on. */
class NotApplicable extends Error {}

/**
 * The one instance `args.notApplicable()` throws. `validateResourceOfType` calls it for every
 * resource of another type (about a thousand times per plan), and constructing an Error captures
 * a stack trace each time; the offline runner has no use for the trace or the reason.
 */
const NOT_APPLICABLE = new NotApplicable("policy not applicable to this resource");
const notApplicable = (): never => {
  throw NOT_APPLICABLE;
};

/** `args.isType(cls)` as the analyzer decides it: the class's Pulumi type token. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
  if (typeof cls.__pulumiType === "string" && cls.__pulumiType !== "") {
    return cls.__pulumiType === type;
  }
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/**
 * Looks up the provider the CLI would pass with a resource, indexed once per run: the recorded
 * reference when there is one, else the only explicit provider of the resource's package in the
 * plan (the program declares exactly one AWS provider and hands it to every AWS resource).
 */
function providerIndex(
  all: readonly PolicyInput[],
): (resource: PolicyInput) => PolicyProviderResource | undefined {
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const byPackage = new Map<string, PolicyInput[]>();
  for (const r of all.filter((x) => x.type.startsWith("pulumi:providers:"))) {
    const pkg = r.type.slice("pulumi:providers:".length);
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), r]);
  }
  const cache = new Map<string, PolicyProviderResource | undefined>();
  return (resource) => {
    if (resource.type.startsWith("pulumi:")) return undefined;
    if (cache.has(resource.urn)) return cache.get(resource.urn);
    let provider: PolicyInput | undefined;
    if (resource.provider) {
      provider = byUrn.get(resource.provider.slice(0, resource.provider.lastIndexOf("::")));
    } else {
      const candidates = byPackage.get(resource.type.split(":")[0]) ?? [];
      provider = candidates.length === 1 ? candidates[0] : undefined;
    }
    const found = provider
      ? {
          type: provider.type,
          props: { ...provider.inputs },
          urn: provider.urn,
          name: provider.name,
        }
      : undefined;
    cache.set(resource.urn, found);
    return found;
  };
}

function optionsOf(resource: PolicyInput): PolicyResourceOptions {
  return {
    protect: resource.options?.protect ?? false,
    ignoreChanges: [...(resource.options?.ignoreChanges ?? [])],
    aliases: [...(resource.options?.aliases ?? [])],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent ? { parent: resource.parent } : {}),
  };
}

/** Deep copy, so a policy can never change the caller's resources. */
const copy = <T>(value: T): T => structuredClone(value);

/** Rethrows anything but "not applicable", which the analyzer ignores. */
function unlessNotApplicable(err: unknown): void {
  if (err !== NOT_APPLICABLE) throw err;
}

/**
 * Runs one validation, ignoring "not applicable" like the analyzer does. Most validations are
 * synchronous and finish here; only an asynchronous one returns a promise to await.
 */
function attempt(run: () => unknown): Promise<void> | undefined {
  try {
    const result = run();
    if (result instanceof Promise) return result.then(() => undefined, unlessNotApplicable);
  } catch (err) {
    unlessNotApplicable(err);
  }
  return undefined;
}

/**
 * Evaluates every policy of the pack over `resources` and returns the violations, resource
 * policies first (in resource order), then stack policies. Policies whose effective level is
 * `disabled` do not run; `remediate` is reported as `mandatory`, as the analyzer does.
 */
export async function runPolicies(
  resources: readonly PolicyInput[],
  options: RunPoliciesOptions = {},
): Promise<PolicyViolation[]> {
  const stackConfig = options.stackConfig ?? {};
  const policies = createPolicies({
    stackStage: () => options.stackStage ?? stageFromConfig(stackConfig),
    stackConfig: () => stackConfig,
    stackName: () => options.stackName,
  });
  const effective = reconcile(policies, options.config ?? {});
  // The CLI passes the stack's tags; none of the pack's policies read them.
  const stackTags: ReadonlyMap<string, string> = new Map();
  const providerOf = providerIndex(resources);
  const violations: PolicyViolation[] = [];
  const enabled = policies.filter((p) => effective.get(p.name)?.level !== "disabled");
  const reporter = (p: DeliveryPolicy, urn: string | undefined): ReportViolation => {
    const level = effective.get(p.name)?.level === "advisory" ? "advisory" : "mandatory";
    return (message: string, blamed?: string) =>
      violations.push({ policy: p.name, enforcementLevel: level, urn: blamed ?? urn, message });
  };
  const getConfig = (p: DeliveryPolicy) => () =>
    copy({ ...effective.get(p.name)?.properties }) as never;

  for (const resource of resources) {
    for (const p of enabled) {
      if (!("validateResource" in p) || p.validateResource === undefined) continue;
      const validations = Array.isArray(p.validateResource)
        ? p.validateResource
        : [p.validateResource];
      for (const validate of validations) {
        const view = resourceView(resource, () => copy(resource.inputs), providerOf(resource));
        // Assigned, not spread: spreading would read `props` and copy them for every validation.
        const args: ResourceValidationArgs = Object.assign(view, {
          // Same function; the two argument types only spell its generic result differently.
          asType: view.asType as unknown as ResourceValidationArgs["asType"],
          stackTags,
          getConfig: getConfig(p),
          notApplicable,
        });
        // Resource policies always blame the resource under validation, whatever urn they pass.
        const report = reporter(p, resource.urn);
        const pending = attempt(() => validate(args, (message) => report(message)));
        if (pending) await pending;
      }
    }
  }

  const stackResources = stackView(resources, providerOf);
  for (const p of enabled) {
    if (!("validateStack" in p)) continue;
    const args: StackValidationArgs = {
      resources: stackResources,
      getConfig: getConfig(p),
      stackTags,
      notApplicable,
    };
    const pending = attempt(() => p.validateStack(args, reporter(p, undefined)));
    if (pending) await pending;
  }
  return violations;
}

/**
 * What both resource and stack policies see of one resource. `props` is made (a fresh copy) the
 * first time a policy reads it: most validations only ask `isType` and never read it.
 */
function resourceView(
  r: PolicyInput,
  makeProps: () => Record<string, unknown>,
  provider: PolicyProviderResource | undefined,
): Pick<
  PolicyResource,
  "type" | "props" | "urn" | "name" | "opts" | "provider" | "isType" | "asType"
> {
  let props: Record<string, unknown> | undefined;
  const propsOnce = () => (props ??= makeProps());
  return {
    type: r.type,
    get props() {
      return propsOnce();
    },
    urn: r.urn,
    name: r.name,
    opts: optionsOf(r),
    ...(provider ? { provider } : {}),
    isType: (cls) => isTypeOf(r.type, cls),
    asType: ((cls: unknown) =>
      isTypeOf(r.type, cls) ? propsOnce() : undefined) as PolicyResource["asType"],
  };
}

/** The resources as a stack policy sees them: outputs, parents and dependencies linked. */
function stackView(
  resources: readonly PolicyInput[],
  providerOf: ReturnType<typeof providerIndex>,
): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const view = resources.map((r) => {
    const resource: PolicyResource = Object.assign(
      resourceView(r, () => copy({ ...r.inputs, ...r.state }), providerOf(r)),
      { dependencies: [], propertyDependencies: {} },
    );
    byUrn.set(r.urn, resource);
    return resource;
  });
  resources.forEach((r, i) => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) view[i].parent = parent;
    view[i].dependencies = (r.options?.dependsOn ?? [])
      .map((urn) => byUrn.get(urn))
      .filter((d): d is PolicyResource => d !== undefined);
  });
  return view;
}

/** One line per violation, for the offline plan's output: level, policy, resource, message. */
export function formatViolations(violations: readonly PolicyViolation[]): string[] {
  return violations.map(
    (v) => `[${v.enforcementLevel}] ${v.policy}: ${v.urn ?? "(stack)"}\n    ${v.message}`,
  );
}
