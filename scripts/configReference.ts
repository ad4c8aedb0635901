/**
 * `docs/config.md`, rendered from the stack file's JSON Schema (`stacks/jsonSchema.ts`), so the
 * reference says exactly what the program checks, with the descriptions written once, in the
 * zod schema (`stacks/schema.ts`).
 */
import { isObject } from "../lib/json";
import { STAGES } from "../lib/naming";
import { JsonSchema, STAGE_DEFAULTS_KEYWORD } from "../stacks/jsonSchema";
import { PROJECT } from "../stacks/project";

/** One row of a section's table. */
interface Row {
  readonly key: string;
  readonly type: string;
  readonly defaultText: string;
  readonly description: string;
}

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;
/** Table cells: pipes escaped, line breaks folded. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** Patterns short enough to read; longer ones are described in words. */
const MAX_PATTERN = 48;

/** ` (1–20 characters)`, ` (at most 20 characters)`, ` (at least 1 item)`, or nothing. */
function between(min: unknown, max: unknown, what: string): string {
  const lo = typeof min === "number" && min > 0 ? min : undefined;
  const hi = typeof max === "number" ? max : undefined;
  if (lo !== undefined && hi !== undefined) return ` (${lo}–${hi} ${what})`;
  if (hi !== undefined) return ` (at most ${hi} ${what})`;
  if (lo !== undefined) return ` (at least ${lo} ${lo === 1 ? what.replace(/s$/, "") : what})`;
  return "";
}

/** The type column: what a value of this schema looks like. */
export function typeText(s: JsonSchema): string {
  if (Array.isArray(s.enum)) return s.enum.map(code).join(" | ");
  if (s.const !== undefined) return code(s.const);
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) return variants.map(typeText).join(" or ");
  if (Array.isArray(s.type)) return s.type.join(" | ");
  switch (s.type) {
    case "string": {
      const bounds = between(s.minLength, s.maxLength, "characters");
      const pattern =
        typeof s.pattern === "string" && s.pattern.length <= MAX_PATTERN
          ? ` matching ${code(s.pattern)}`
          : "";
      return `string${bounds}${pattern}`;
    }
    case "integer":
    case "number": {
      // zod writes JavaScript's safe-integer bounds for an unbounded integer.
      const max = s.maximum === Number.MAX_SAFE_INTEGER ? undefined : (s.maximum as number);
      const min = s.minimum === Number.MIN_SAFE_INTEGER ? undefined : (s.minimum as number);
      const range =
        s.exclusiveMinimum === 0
          ? " > 0"
          : min !== undefined && max !== undefined
            ? ` ${min}–${max}`
            : min !== undefined
              ? ` ≥ ${min}`
              : max !== undefined
                ? ` ≤ ${max}`
                : "";
      return `${s.type === "integer" ? "whole number" : "number"}${range}`;
    }
    case "boolean":
      return "boolean";
    case "array": {
      const items = isObject(s.items) ? typeText(s.items) : "values";
      const count = between(s.minItems, s.maxItems, "items");
      return `list of ${items}${count}${s.uniqueItems ? ", each once" : ""}`;
    }
    case "object": {
      if (isObject(s.additionalProperties))
        return `map of ${keyTitle(s) ?? "name"} → ${typeText(s.additionalProperties)}`;
      if (!isObject(s.properties)) return "object";
      const required = new Set((s.required as string[] | undefined) ?? []);
      const keys = Object.keys(s.properties).map((k) => (required.has(k) ? k : `${k}?`));
      return `{ ${keys.join(", ")} }`;
    }
    default:
      return "any";
  }
}

/**
 * Whether a key must be set: always, only once its optional parent is (`in` names the parent),
 * or not at all.
 */
type Required = boolean | { readonly in: string };

/** The default column: the value, each stage's, or whether the key is required. */
function defaultText(s: JsonSchema, required: Required): string {
  const byStage = s[STAGE_DEFAULTS_KEYWORD] as Record<string, unknown> | undefined;
  if (byStage) return STAGES.map((stage) => `${code(byStage[stage])} (${stage})`).join(", ");
  if (s.default !== undefined) return code(s.default);
  if (typeof required === "object") return `required in ${code(required.in)}`;
  return required ? "required" : "—";
}

/** What a map's keys are, when the schema names them (`propertyNames.title`): `service`. */
function keyTitle(s: JsonSchema): string | undefined {
  const names = s.propertyNames;
  return isObject(names) && typeof names.title === "string" ? names.title : undefined;
}

const describedBy = (s: JsonSchema) => (typeof s.description === "string" ? s.description : "");

/**
 * The object variants of a union that tell themselves apart by one key of constant values (a
 * `const`, or an `enum` such as `kind: web | worker` next to `kind: image`).
 */
function discriminated(s: JsonSchema): { key: string; variants: JsonSchema[] } | undefined {
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (!variants?.every((v) => isObject(v.properties))) return undefined;
  const keys = Object.keys((variants[0].properties as object) ?? {}).filter((k) =>
    variants.every((v) => {
      const p = (v.properties as Record<string, JsonSchema>)[k];
      return p !== undefined && (p.const !== undefined || Array.isArray(p.enum));
    }),
  );
  return keys.length > 0 ? { key: keys[0], variants } : undefined;
}

/**
 * A key that exists only to be refused with a message of its own (zod's `never`, `{ not: {} }`):
 * the program reports it, the reference leaves it out.
 */
const refusedKey = (s: JsonSchema) => isObject(s.not) && Object.keys(s.not).length === 0;

/** An object's properties, without the keys that exist only to be refused. */
function propertiesOf(s: JsonSchema): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(s.properties as Record<string, JsonSchema>).filter(([, p]) => !refusedKey(p)),
  );
}

/**
 * The rows of one schema under `path`: its leaves, and every described object, map and union on
 * the way. A discriminated union lists the keys all its variants share once, then each variant
 * (with its description) and the keys only it has; a list of objects lists its items' keys
 * (`shared[].resource`); a map of objects its entries' keys under `<name>` (or the title its
 * keys have).
 */
export function rows(s: JsonSchema, path: string, required: Required): Row[] {
  const own: Row = {
    key: path,
    type: typeText(s),
    defaultText: defaultText(s, required),
    description: describedBy(s),
  };
  const union = discriminated(s);
  if (union) return unionRows(own, union, path);
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) {
    const objects = variants.filter((v) => isObject(v.properties));
    return [own, ...objects.flatMap((v) => children(v, path).filter((r) => r.key !== path))];
  }
  if (isObject(s.properties)) {
    const inner = children(s, path, s.default !== undefined || required);
    return own.description ? [{ ...own, type: "object" }, ...inner] : inner;
  }
  if (s.type === "array" && isObject(s.items) && isObject(s.items.properties)) {
    return [own, ...children(s.items, `${path}[]`)];
  }
  if (s.type === "object" && isObject(s.additionalProperties)) {
    const entry = s.additionalProperties;
    if (isObject(entry.properties) || entry.anyOf || entry.oneOf) {
      const names = `<${keyTitle(s) ?? "name"}>`;
      const entries = rows(entry, `${path}.${names}`, true).filter(
        (r) => r.key !== `${path}.${names}` || r.description,
      );
      // A section's own description is printed above its table.
      return own.description
        ? [{ ...own, type: `map of ${keyTitle(s) ?? "name"} → settings` }, ...entries]
        : entries;
    }
  }
  return [own];
}

/** The rows of a discriminated union: shared keys once, then each variant and its own keys. */
function unionRows(own: Row, union: { key: string; variants: JsonSchema[] }, path: string): Row[] {
  const propsOf = propertiesOf;
  const tagOf = (v: JsonSchema): string => {
    const tag = propsOf(v)[union.key];
    const values = tag.const !== undefined ? [tag.const] : (tag.enum as unknown[]);
    return values.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" | ");
  };
  const [first, ...others] = union.variants;
  const requiredIn = (v: JsonSchema, k: string) =>
    ((v.required as string[] | undefined) ?? []).includes(k);
  // A key every variant has alike (same schema, equally required) is listed once.
  const shared = Object.keys(propsOf(first)).filter(
    (k) =>
      k !== union.key &&
      others.every(
        (v) =>
          JSON.stringify(propsOf(v)[k]) === JSON.stringify(propsOf(first)[k]) &&
          requiredIn(v, k) === requiredIn(first, k),
      ),
  );
  const keysOf = (v: JsonSchema, keys: readonly string[]) =>
    rows(
      {
        ...v,
        properties: Object.fromEntries(keys.map((k) => [k, propsOf(v)[k]])),
        description: undefined,
      },
      path,
      true,
    );
  return [
    {
      ...own,
      type: `by ${code(union.key)}: ${union.variants.map((v) => code(tagOf(v))).join(" | ")}`,
    },
    ...keysOf(first, shared),
    ...union.variants.flatMap((v) => {
      const label = `${union.key}: ${tagOf(v)}`;
      // A variant is described by its own description, or by its tag's.
      const about = describedBy(v) || describedBy(propsOf(v)[union.key]);
      const variantRow: Row[] = about
        ? [
            {
              key: `${path} (${label})`,
              type: code(label),
              defaultText: defaultText(propsOf(v)[union.key], false),
              description: about,
            },
          ]
        : [];
      const specific = Object.keys(propsOf(v)).filter(
        (k) => k !== union.key && !shared.includes(k),
      );
      return [
        ...variantRow,
        ...keysOf(v, specific).map((r) => ({ ...r, key: `${r.key} (${label})` })),
      ];
    }),
  ];
}

/** The rows of an object's keys; `parentRequired` says whether the object itself must be set. */
function children(s: JsonSchema, path: string, parentRequired: Required = true): Row[] {
  const required = new Set((s.required as string[] | undefined) ?? []);
  const whenSet: Required = parentRequired === true ? true : { in: path.replace(/^[^.]*\./, "") };
  return Object.entries(propertiesOf(s)).flatMap(([key, child]) =>
    rows(child, `${path}.${key}`, required.has(key) && whenSet),
  );
}

const table = (list: readonly Row[], strip: string) => [
  "| key | type | default | meaning |",
  "| --- | --- | --- | --- |",
  ...list.map(
    (r) =>
      `| ${cell(code(r.key.startsWith(strip) ? r.key.slice(strip.length) || r.key : r.key))} | ${cell(r.type)} | ${cell(r.defaultText)} | ${cell(r.description)} |`,
  ),
];

/**
 * Whether a section gets a heading of its own: an object of keys, or a map of them. A single
 * value, a map of values or a list goes into the top-level table.
 */
function hasOwnTable(s: JsonSchema): boolean {
  const entry = s.additionalProperties;
  return (
    isObject(s.properties) ||
    (isObject(entry) && (isObject(entry.properties) || !!entry.anyOf || !!entry.oneOf))
  );
}

/** The whole reference page; `refusal` is what the program prints for an example refused config. */
export function configReference(schema: JsonSchema, refusal: string): string {
  const config = (schema.properties as Record<string, JsonSchema>).config;
  const properties = config.properties as Record<string, JsonSchema>;
  // Required unless an ESC environment supplies it (the schema's `then`).
  const then = (schema.then as { properties: { config: { required: string[] } } }).properties;
  const required = new Set(then.config.required);
  const prefix = `${PROJECT}:`;
  const entries = Object.entries(properties);
  const topLevel = entries.filter(([k, s]) => !k.startsWith(prefix) || !hasOwnTable(s));
  const sections = entries.filter(([k, s]) => k.startsWith(prefix) && hasOwnTable(s));
  const lines = [
    "# Config reference",
    "",
    "<!-- Generated by `npm run docs` from the schema in stacks/schema.ts; do not edit. -->",
    "",
    "Every key of a stack file (`Pulumi.<stack>.yaml`), as the program validates it before it",
    "declares any resource. Unknown keys are refused, and every problem is reported at once, one",
    "line each: `<full key>: <what is wrong>. Fix: <how>`, list items by index",
    "(`delivery:ecs.network.subnets[1]`); under `pulumi preview` the same text is an error without",
    "a stack trace. Where staging and prod default differently, both are given. Checks that relate",
    "several keys (a service's secret must be declared, cpu and memory must be a Fargate pair,",
    "names must fit AWS's limits) are described with the keys they start from. Editors validate",
    "the same shape from `schema/stack.schema.json`, which every shipped stack file names on its",
    "first line (`# yaml-language-server: $schema=...`).",
    "",
    "For example, the staging stack file with its backend on port 70000 and two deploy role",
    "subjects it refuses:",
    "",
    "```text",
    refusal,
    "```",
    "",
    "## Top level",
    "",
    ...table(
      topLevel.flatMap(([k, s]) => rows(s, k, required.has(k))),
      "",
    ),
    "",
    "Any other `delivery:<key>` holds the encrypted value (`{ secure: ... }`) that a `source: config`",
    "secret names; set it with `pulumi config set --secret delivery:<key> ... --stack <stack>`.",
    `The key may not be a section's name (${entries
      .filter(([k]) => k.startsWith(prefix))
      .map(([k]) => code(k.slice(prefix.length)))
      .join(", ")}).`,
  ];
  for (const [key, s] of sections) {
    lines.push("", `## \`${key}\``, "");
    if (typeof s.description === "string") lines.push(s.description, "");
    const list = rows({ ...s, description: undefined }, key, required.has(key));
    lines.push(...table(list, `${key}.`));
  }
  return `${lines.join("\n")}\n`;
}
