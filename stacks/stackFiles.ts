/**
 * Reads `Pulumi.<stack>.yaml` files into the config map Pulumi hands the program: for the offline
 * plan, and for the other stacks of the project, whose names and ARNs the stage must keep clear
 * of. Encrypted (`secure:`) values cannot be decrypted here: they become a placeholder and their
 * key is marked secret, so they plan exactly like real secrets.
 */
import { existsSync, readFileSync, readdirSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { isObject } from "../lib/json";
import type { ConfigInput } from "./load";

/**
 * The directory above `from` that holds `Pulumi.yaml`. The code runs from its sources (the Pulumi
 * CLI) and compiled under `build/` (the plan and the tests), one level deeper.
 */
export function projectDirOf(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${from} or above`);
  }
}

/** The project's directory, where `Pulumi.yaml` and the stack files are. */
export const PROJECT_DIR = projectDirOf(__dirname);

/**
 * The stack file to read: `configFile` when one is given, else the project's own
 * `Pulumi.<stack>.yaml`.
 */
export function stackFilePath(stack: string, configFile?: string): string {
  return configFile ? path.resolve(configFile) : path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
}

/** Stands in for a value that is encrypted in the stack file. */
export const ENCRYPTED_PLACEHOLDER = "[encrypted in the stack file]";

const isSecure = (v: unknown): boolean =>
  isObject(v) && Object.keys(v).length === 1 && typeof v.secure === "string";

/** Replaces nested `{ secure: ... }` values; reports whether there were any. */
function decryptOffline(value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: ENCRYPTED_PLACEHOLDER, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(decryptOffline);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (isObject(value)) {
    const items = Object.entries(value).map(([k, v]) => [k, decryptOffline(v)] as const);
    return {
      value: Object.fromEntries(items.map(([k, i]) => [k, i.value])),
      secret: items.some(([, i]) => i.secret),
    };
  }
  return { value, secret: false };
}

/** The config of a stack file's YAML text, as the engine would pass it (objects as JSON text). */
export function configFromStackYaml(
  stack: string,
  text: string,
  source = "stack file",
): ConfigInput {
  const doc: unknown = parse(text);
  if (doc !== null && doc !== undefined && !isObject(doc))
    throw new Error(`${source}: expected a YAML map with a "config" key`);
  const config = isObject(doc) ? (doc.config ?? {}) : {};
  if (!isObject(config)) throw new Error(`${source}: "config" must be a map of key: value`);
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, raw] of Object.entries(config)) {
    const { value, secret } = decryptOffline(raw);
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.add(key);
  }
  return { stack, values, secretKeys };
}

/**
 * A stack's config as the offline plan reads it: its stack file (or `configFile`), with the
 * other `Pulumi.<stack>.yaml` files of that file's directory as its siblings.
 */
export function readStack(stack: string, configFile?: string): ConfigInput {
  const file = stackFilePath(stack, configFile);
  // A config file elsewhere (a recipe, a scratch copy) belongs with the stack files beside it.
  return { ...readStackFile(stack, file), siblings: siblingStacks(path.dirname(file), stack) };
}

/** Reads `Pulumi.<stack>.yaml` (or another file in the same format). */
export function readStackFile(stack: string, path: string): ConfigInput {
  return configFromStackYaml(stack, readFileSync(path, "utf8"), path);
}

/**
 * The project's other stacks, read from their stack files beside `Pulumi.yaml` (`dir`): every
 * `Pulumi.<stack>.yaml` but the stack's own. A file that cannot be read is left out.
 */
export function siblingStacks(dir: string, ownStack: string): ConfigInput[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => /^Pulumi\.([^.]+)\.ya?ml$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== ownStack)
    .flatMap((m) => {
      try {
        return [readStackFile(m[1], path.join(dir, m[0]))];
      } catch {
        return [];
      }
    });
}
