/**
 * Reading what a resource hands the provider. Policy documents may be JSON text or objects;
 * anything may be missing or of the wrong type in a hand-written resource, so nothing here
 * trusts a shape.
 */
import { isObject } from "../lib/json";

export type Json = Record<string, unknown>;

/** IAM's "string or list of strings". */
export const list = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];

/** IAM's pattern characters. */
export const WILDCARD = /[*?]/;

/** Nothing but pattern characters: `*`, `**`, `?*`. */
export const wildcardOnly = (text: string): boolean => /^[*?]+$/.test(text);

/** IAM's wildcard match, case-insensitive (action names are): `*` any run, `?` one character. */
export function iamLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(value);
}

/** Marks text that should have been JSON and is not. */
export const NOT_JSON = Symbol("not JSON");

/** Providers take some inputs as JSON text or as objects: both come back as the value. */
export function fromJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** The statements of a policy document given as JSON text or as an object. */
export function statementsOf(document: unknown): { statements: Json[] } | { problem: string } {
  const doc = fromJson(document);
  if (doc === NOT_JSON) return { problem: "is not valid JSON" };
  if (!isObject(doc)) return { problem: "is not a policy document" };
  const statement = doc.Statement;
  if (statement === undefined) return { statements: [] };
  const statements = Array.isArray(statement) ? statement : [statement];
  if (!statements.every(isObject)) return { problem: "has a statement that is not an object" };
  return { statements };
}

/** How a message names a statement: its Sid, else its position. */
export const sidOf = (s: Json, i: number): string =>
  typeof s.Sid === "string" && s.Sid !== "" ? `statement "${s.Sid}"` : `statement #${i + 1}`;

/** Operators under which a condition key restricts who matches (absent key: no match). */
export const RESTRICTING_OPERATORS = new Set([
  "stringequals",
  "stringlike",
  "foranyvalue:stringequals",
  "foranyvalue:stringlike",
]);

/** Values of condition keys accepted by `key`, under the operators accepted by `operator`. */
export function conditionValues(
  statement: Json,
  operator: (op: string) => boolean,
  key: (k: string) => boolean,
): string[] | undefined {
  const condition = statement.Condition;
  if (!isObject(condition)) return undefined;
  let found: string[] | undefined;
  for (const [op, entries] of Object.entries(condition)) {
    if (!operator(op.toLowerCase()) || !isObject(entries)) continue;
    for (const [k, v] of Object.entries(entries)) {
      if (key(k.toLowerCase())) found = [...(found ?? []), ...list(v)];
    }
  }
  return found;
}

/** Whether an Allow statement grants `action` (an Allow with NotAction grants all but its own). */
export function grantsAction(statement: Json, action: string): boolean {
  if (statement.Effect !== "Allow") return false;
  if (list(statement.Action).some((a) => iamLike(a, action))) return true;
  return (
    statement.NotAction !== undefined && !list(statement.NotAction).some((a) => iamLike(a, action))
  );
}

/**
 * The stack's config as the Pulumi CLI hands it to the pack (`PULUMI_CONFIG`): `<namespace>:<key>`
 * to text, objects as JSON text. It carries decrypted secrets: read keys, never print values.
 */
export type StackConfig = Readonly<Record<string, string>>;

/** A config value, parsed when it is JSON text (objects and numbers), else the text itself. */
export function configValue(config: StackConfig, key: string): unknown {
  const text = config[key];
  if (text === undefined) return undefined;
  const parsed = fromJson(text);
  return parsed === NOT_JSON ? text : parsed;
}

/**
 * A property that may not be known yet, or undefined. During `pulumi preview` the SDK hands stack
 * policies props whose unknown values throw when read, and reports the policy as "can't run
 * during preview" (advisory); `pulumi up` runs it with the real values. A value that only serves
 * to match references (an ARN the engine has not assigned yet) is read through this instead, so
 * a preview is not given up for it.
 */
export function ifKnown(props: Json, key: string): unknown {
  try {
    return props[key];
  } catch {
    return undefined;
  }
}
