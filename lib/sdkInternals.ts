/**
 * The two `@pulumi/pulumi` functions the program needs that the SDK marks `@internal` (they are
 * exported by its runtime module but not in its typings). One adapter, so an SDK upgrade that
 * drops or renames one fails loudly here, naming the SDK version, instead of quietly changing
 * what the program does.
 */
import * as pulumi from "@pulumi/pulumi";
import { version as SDK_VERSION } from "@pulumi/pulumi/version";

export { SDK_VERSION };

/** What the program uses of the SDK's runtime internals. */
interface RuntimeInternals {
  /** Whether a config key was set with `--secret` (how `Config.get` decides to warn). */
  readonly isConfigSecret: (key: string) => boolean;
  /** Resolves once every outstanding resource registration and invoke has completed. */
  readonly waitForRPCs: () => Promise<void>;
}

/**
 * One internal runtime function; throws, naming the SDK version, when it is missing. `runtime`
 * is the SDK's runtime module unless a test passes another.
 */
export function sdkInternal<K extends keyof RuntimeInternals>(
  name: K,
  runtime: object = pulumi.runtime,
): RuntimeInternals[K] {
  const fn = (runtime as Partial<RuntimeInternals>)[name];
  if (typeof fn !== "function") {
    throw new Error(
      `@pulumi/pulumi ${SDK_VERSION} has no runtime.${name}, which this program relies on (lib/sdkInternals.ts). Install the @pulumi/pulumi version from package-lock.json (npm ci), or port the adapter to this version.`,
    );
  }
  return fn as RuntimeInternals[K];
}
