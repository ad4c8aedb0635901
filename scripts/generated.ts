/**
 * Generated stages for sizing: the shipped staging stack with `n` services, each reading two
 * generated secrets of its own. The benchmark plans them; the tests check that they fit AWS's and
 * GitHub's limits.
 */
import { readFileSync } from "fs";
import { parse, stringify } from "yaml";
import { stackFilePath } from "../stacks/stackFiles";

/** The config map of a staging stack with `n` services, as a stack file's `config:` holds it. */
export function generatedStackConfig(
  n: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const doc = parse(readFileSync(stackFilePath("staging"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const services: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (let i = 1; i <= n; i++) {
    const svc = `svc${String(i).padStart(3, "0")}`;
    secrets[`${svc}-jwt`] = { source: "generated", length: 64 };
    secrets[`${svc}-key`] = { source: "generated", length: 32 };
    services[svc] = {
      port: 8000,
      healthCheckPath: "/health",
      architecture: "ARM64",
      secrets: { JWT_SECRET: `${svc}-jwt`, API_KEY: `${svc}-key` },
    };
  }
  const config: Record<string, unknown> = {
    ...doc.config,
    "delivery:services": services,
    "delivery:secrets": secrets,
    ...extra,
  };
  delete config["delivery:databaseUrl"];
  config["delivery:github"] = { ...(config["delivery:github"] as object), secrets: {} };
  return config;
}

/** The same, as the text of a stack file. */
export function generatedStackFile(n: number, extra: Record<string, unknown> = {}): string {
  return stringify({ config: generatedStackConfig(n, extra) });
}
