/**
 * Runs the real program for one stack on the mock runtime and collects what it declared. Used by
 * the offline plan and by the tests, so both see exactly what `pulumi up` would send.
 */
import * as pulumi from "@pulumi/pulumi";
import { sdkInternal } from "../lib/sdkInternals";
import { StageOutputs, accountProblem, buildStage } from "../components/deliveryStage";
import { ConfigError, ConfigInput, PROJECT, loadStage, readRuntimeConfig } from "../stacks/load";
import { Stage } from "../stacks/stage";
import { MockCloud, RecordedCall, RecordedResource, SECRET_MASK } from "./mocks";

/** What one offline run declared. */
export interface OfflineRun {
  readonly project: string;
  readonly stack: string;
  readonly stage: Stage;
  readonly resources: readonly RecordedResource[];
  readonly calls: readonly RecordedCall[];
  /** Stack outputs, resolved; secret values replaced by the mask. */
  readonly outputs: Record<string, unknown>;
  /** The outputs as the program returned them (Pulumi Outputs), for tests that check secrecy. */
  readonly rawOutputs: StageOutputs;
}

/** The SDK's own "wait until every registration has been sent" (internal, hence the typed view). */
export async function waitForRegistrations(): Promise<void> {
  await sdkInternal("waitForRPCs")();
}

/** Resolves nested Outputs, replacing secret values by the mask. */
async function resolveMasked(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value;
    const [resolved, secret] = await Promise.all([
      new Promise<unknown>((r) => output.apply(r)),
      pulumi.isSecret(output),
    ]);
    return secret ? SECRET_MASK : resolveMasked(resolved);
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolveMasked));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveMasked(v)] as const),
    );
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/**
 * Points Pulumi's runtime at the mock cloud for one stack and sets that stack's config, as the
 * engine would before running the program.
 */
export async function startOffline(cloud: MockCloud, input: ConfigInput): Promise<void> {
  cloud.reset();
  await pulumi.runtime.setMocks(cloud, PROJECT, input.stack, false);
  cloud.attachRecorder();
  pulumi.runtime.setAllConfig({ ...input.values }, [...input.secretKeys]);
}

/**
 * Runs `evaluate` (the program, on the mock runtime) with stack traces off. The SDK records a
 * stack trace for every promise it creates (dozens per resource) and one per resource for its
 * source position; with source maps on, each is captured, source-mapped and formatted, which was
 * most of an offline run's time. Nothing offline reads those traces, so while the program is
 * evaluated they are empty and an error's `stack` is its name and message, without frames.
 */
export async function withoutStackTraces<T>(evaluate: () => Promise<T>): Promise<T> {
  const stackTraceLimit = Error.stackTraceLimit;
  // Saved to be put back as it was; a static hook that Node calls with the error as an argument.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const prepareStackTrace = Error.prepareStackTrace;
  Error.stackTraceLimit = 0;
  Error.prepareStackTrace = (error: Error) => `${error.name}: ${error.message}`;
  try {
    return await evaluate();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    Error.prepareStackTrace = prepareStackTrace;
  }
}

/**
 * Sets the stack's config, loads and validates the stage (throwing `ConfigError` before any
 * resource exists), builds it on the mock runtime and waits until everything is registered.
 */
export async function runOffline(cloud: MockCloud, input: ConfigInput): Promise<OfflineRun> {
  await startOffline(cloud, input);
  // The program reads the other stack files from its directory (`readRuntimeConfig`); offline,
  // they are the input's (`readStack` reads the same files), so a test can give others.
  const stage = loadStage({ ...readRuntimeConfig(), siblings: input.siblings ?? [] });
  // The mock cloud's account is known: refuse the wrong one before anything is declared, as the
  // AWS provider's allowedAccountIds does under the real engine.
  const wrongAccount = accountProblem(cloud.options.accountId, stage.allowedAccountIds);
  if (wrongAccount) throw new ConfigError(input.stack, [`aws:allowedAccountIds: ${wrongAccount}`]);
  const { rawOutputs, outputs } = await withoutStackTraces(async () => {
    const built = buildStage(stage);
    // A registration the cloud refuses leaves whatever depends on it pending forever.
    const resolved = (await Promise.race([resolveMasked(built), cloud.failure])) as Record<
      string,
      unknown
    >;
    await Promise.race([waitForRegistrations(), cloud.failure]);
    return { rawOutputs: built, outputs: resolved };
  });
  return {
    project: PROJECT,
    stack: input.stack,
    stage,
    resources: [...cloud.resources],
    calls: [...cloud.calls],
    outputs,
    rawOutputs,
  };
}
