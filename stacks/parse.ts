/**
 * Raw `delivery:*` values → typed, defaulted sections. Each top-level section is parsed on its
 * own, and the map sections (`services`, `secrets`, `roles`) entry by entry, so a wrong value
 * hides nothing else: the rules still run on every section and entry that parsed.
 */
import { z } from "zod";
import { isObject } from "../lib/json";
import { PROJECT, keyPath } from "./project";
import { DeliveryConfig, Section, deliverySchema } from "./schema";

/** What parsed: whole sections, and for the map sections the entries that parsed. */
export type ParsedConfig = { -readonly [K in Section]?: DeliveryConfig[K] };

/** The keys of the map sections as written, whether or not each entry parsed. */
export interface DeclaredKeys {
  readonly services: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
}

/** The result of parsing: typed sections, every schema problem, and the declared map keys. */
export interface ParseResult {
  readonly config: ParsedConfig;
  /** Sections that parsed (a map section parses even when some of its entries do not). */
  readonly sections: ReadonlySet<Section>;
  /** True when every section and entry parsed: `config` is then a whole {@link DeliveryConfig}. */
  readonly complete: boolean;
  readonly problems: string[];
  readonly declared: DeclaredKeys;
}

type Schema = ReturnType<typeof deliverySchema>;
const MAP_SECTIONS = ["services", "secrets", "roles"] as const;
type MapSection = (typeof MAP_SECTIONS)[number];
const isMapSection = (s: string): s is MapSection =>
  (MAP_SECTIONS as readonly string[]).includes(s);

/**
 * Parses `raw` (the `delivery:*` keys without the prefix, config-sourced secret values already
 * removed). `secretTopKeys` are top-level keys set with `--secret`, whose values messages never show.
 */
export function parseConfig(
  schema: Schema,
  raw: Readonly<Record<string, unknown>>,
  secretTopKeys: ReadonlySet<string>,
): ParseResult {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  const sections = new Set<Section>();
  let complete = true;
  const known = Object.keys(schema.sections);
  for (const key of Object.keys(raw).filter((k) => !known.includes(k))) {
    problems.push(
      `${PROJECT}:${key}: unknown config key. Fix: remove it or correct the spelling (see docs/config.md)`,
    );
  }
  const fail = (issues: readonly z.core.$ZodIssue[], base: PropertyKey[]) => {
    complete = false;
    problems.push(...formatIssues(issues, secretTopKeys, base));
  };
  for (const [section, sectionSchema] of Object.entries(schema.sections) as [
    Section,
    z.ZodType,
  ][]) {
    const value = raw[section];
    if (secretTopKeys.has(section) && value !== undefined) {
      // `--secret --path` marks the whole section secret: which of its values is the secret is
      // lost, so none of them may be written in plain text, or repeated in a message.
      complete = false;
      problems.push(
        `${PROJECT}:${section}: is marked secret (a value in it was set with --secret --path), so the program cannot tell which of its values is the secret and would write them all in plain text. Fix: set the secret as its own key (pulumi config set --secret ${PROJECT}:<key> <value>) and name it with source: config; then set ${PROJECT}:${section} again without --secret`,
      );
      continue;
    }
    if (isMapSection(section) && isObject(value)) {
      const entrySchema: z.ZodType = schema.entries[section];
      const entries: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        const parsed = entrySchema.safeParse(entry, { reportInput: true });
        if (parsed.success) entries[key] = parsed.data;
        else fail(parsed.error.issues, [section, key]);
      }
      config[section] = entries;
      sections.add(section);
      continue;
    }
    const parsed = sectionSchema.safeParse(value, { reportInput: true });
    if (parsed.success) {
      config[section] = parsed.data;
      sections.add(section);
    } else fail(parsed.error.issues, [section]);
  }
  const keysOf = (section: MapSection) =>
    new Set(isObject(raw[section]) ? Object.keys(raw[section]) : []);
  return {
    config,
    sections,
    complete,
    problems,
    declared: { services: keysOf("services"), secrets: keysOf("secrets"), roles: keysOf("roles") },
  };
}

function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  secretTopKeys: ReadonlySet<string>,
  base: readonly PropertyKey[] = [],
): string[] {
  return issues.flatMap((issue): string[] => {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => `${keyPath([...path, k])}: ${issue.message}`);
    }
    // A bad map key or a value matching no alternative: report the specific problem inside.
    if (issue.code === "invalid_key") return formatIssues(issue.issues, secretTopKeys, path);
    if (issue.code === "invalid_union") {
      // Unwrap only when the value clearly has one alternative's shape: that alternative's
      // problems are all inside the value, and no other alternative fits as well.
      const shaped = issue.errors.filter((branch) =>
        branch.every((i) => i.path.length > 0 && i.code !== "unrecognized_keys"),
      );
      const fewest = Math.min(...shaped.map((b) => b.length));
      const closest = shaped.filter((b) => b.length === fewest);
      if (closest.length === 1) return formatIssues(closest[0], secretTopKeys, path);
    }
    const key = keyPath(path);
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [`${key}: is required. Fix: add it to the stack's config file (see docs/config.md)`];
    }
    if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
      const secret = secretTopKeys.has(String(path[0]));
      const expected = TYPE_NAMES.get(issue.expected) ?? issue.expected;
      return [
        `${key}: expected a ${expected}, got ${describe(issue.input, secret)}. Fix: write a ${expected}`,
      ];
    }
    return [`${key}: ${withFix(issue.message)}`];
  });
}

/** How config files call zod's types. */
const TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ["object", "map"],
  ["array", "list"],
]);

/** Every problem says how to fix it; schema messages that only say what is wrong get a hint. */
function withFix(message: string): string {
  if (message.includes("Fix:")) return message;
  const hint = message.includes("true or false")
    ? "write true or false, without quotes"
    : /must be (one of|"[^"]+" or|"[^"]+", )/.test(message)
      ? "use one of the values listed"
      : "correct the value (see docs/config.md)";
  return `${message.replace(/\.$/, "")}. Fix: ${hint}`;
}

/** Describes a wrong value without ever echoing a value from a secret key. */
function describe(value: unknown, secret: boolean): string {
  if (secret) return `a ${Array.isArray(value) ? "list" : typeof value}`;
  if (typeof value === "string") return value.length <= 40 ? `"${value}"` : "a long string";
  if (Array.isArray(value)) return "a list";
  if (isObject(value)) return "a map";
  return String(value);
}
