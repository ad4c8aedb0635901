/**
 * The JSON Schema of a stack file (`Pulumi.<stack>.yaml`), generated from the zod schema that
 * validates it (`schema.ts`), for editors: completion, descriptions and errors while typing.
 * It is looser than the program (keys that relate to each other, names built from several keys
 * and the other stack file are checked only by the program), and no stricter for YAML written as
 * the config reference shows it: every shipped stack file and recipe validates
 * (tests/editorSchema.test.ts).
 *
 * One schema serves both stages: where a default differs between them, the schema drops it and
 * records both under {@link STAGE_DEFAULTS_KEYWORD}.
 *
 * @see https://zod.dev/json-schema
 * @see https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/
 */
import { z } from "zod";
import { STAGES, StageName } from "../lib/naming";
import { isObject } from "../lib/json";
import { ACCOUNT_ID_PATTERN, OWNER_PATTERN, PROJECT, REGION_PATTERN } from "./project";
import { SECTIONS, deliverySchema } from "./schema";

/** Where the schema is committed, relative to the project root. */
export const SCHEMA_PATH = "schema/stack.schema.json";

/** The modeline that points the YAML language server at the schema, for a file in `dir`. */
export function schemaModeline(relativePathToSchema: string): string {
  return `# yaml-language-server: $schema=${relativePathToSchema}`;
}

/** An annotation keyword (JSON Schema allows unknown ones): each stage's default. */
export const STAGE_DEFAULTS_KEYWORD = "x-stage-defaults";

/** A JSON Schema document or subschema. */
export type JsonSchema = Record<string, unknown>;

/** The `delivery:*` namespace for one stage, as zod's input-side JSON Schema. */
function namespaceSchema(stage: StageName): JsonSchema {
  return z.toJSONSchema(deliverySchema({ stage }).object, {
    io: "input",
    // Nothing in the schema is unrepresentable today; if something becomes so, it accepts
    // anything rather than refusing what the program takes.
    unrepresentable: "any",
  });
}

/**
 * Merges the two stages' schemas, which differ only in defaults: a differing default becomes
 * {@link STAGE_DEFAULTS_KEYWORD}. Anything else that differs is a schema this function does not
 * know how to describe once, and throws.
 */
function mergeStages(byStage: Readonly<Record<StageName, unknown>>, at: string): unknown {
  const [first, ...rest] = STAGES.map((s) => byStage[s]);
  if (!isObject(first)) {
    if (rest.every((v) => JSON.stringify(v) === JSON.stringify(first))) return first;
    if (Array.isArray(first) && rest.every((v) => Array.isArray(v) && v.length === first.length)) {
      return first.map((_, i) =>
        mergeStages(
          Object.fromEntries(STAGES.map((s) => [s, (byStage[s] as unknown[])[i]])) as Record<
            StageName,
            unknown
          >,
          `${at}[${i}]`,
        ),
      );
    }
    throw new Error(`jsonSchema: the stages' schemas differ at ${at}`);
  }
  const out: JsonSchema = {};
  const keys = new Set(STAGES.flatMap((s) => Object.keys(byStage[s] as object)));
  for (const key of keys) {
    const values = Object.fromEntries(
      STAGES.map((s) => [s, (byStage[s] as JsonSchema)[key]]),
    ) as Record<StageName, unknown>;
    const same = STAGES.every(
      (s) => JSON.stringify(values[s]) === JSON.stringify(values[STAGES[0]]),
    );
    if (key === "default" && !same) {
      out[STAGE_DEFAULTS_KEYWORD] = values;
    } else {
      out[key] = same ? values[STAGES[0]] : mergeStages(values, `${at}.${key}`);
    }
  }
  return out;
}

/**
 * Drops object defaults: zod records a section's parsed-empty default (every key's own default
 * at once), which an editor would offer as one block; each key keeps its own.
 */
function dropObjectDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropObjectDefaults);
  if (!isObject(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "default" && isObject(value)) continue;
    if (key === STAGE_DEFAULTS_KEYWORD) {
      if (Object.values(value as object).some(isObject)) continue;
      out[key] = value;
      continue;
    }
    out[key] = dropObjectDefaults(value);
  }
  return out;
}

/** `{ secure: "..." }`: a value Pulumi encrypted (`pulumi config set --secret`). */
const SECURE_VALUE: JsonSchema = {
  type: "object",
  properties: { secure: { type: "string", description: "Ciphertext written by Pulumi." } },
  required: ["secure"],
  additionalProperties: false,
};

/** The whole stack file's schema. */
export function stackFileSchema(): JsonSchema {
  const namespace = dropObjectDefaults(
    mergeStages(
      Object.fromEntries(STAGES.map((s) => [s, namespaceSchema(s)])) as Record<StageName, unknown>,
      PROJECT,
    ),
  ) as JsonSchema;
  const sections = namespace.properties as Record<string, JsonSchema>;
  const required = (namespace.required as string[] | undefined) ?? [];
  const sectionNames = SECTIONS.join("|");
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `Pulumi.<stack>.yaml of the ${PROJECT} project`,
    description:
      "A stack's settings: its config, and what Pulumi writes itself (secrets provider, keys). Generated from the program's schema (npm run docs); the program checks more than this schema can say.",
    type: "object",
    properties: {
      config: {
        type: "object",
        description: "The stack's config: the providers' keys and the delivery:* namespace.",
        properties: {
          "github:owner": {
            type: "string",
            pattern: OWNER_PATTERN.source,
            description:
              "Owner (user or organization) of the app repository; the GitHub provider's owner.",
          },
          "aws:region": {
            type: "string",
            pattern: REGION_PATTERN.source,
            description: "The AWS region of every resource, e.g. eu-west-1.",
          },
          "aws:allowedAccountIds": {
            type: "array",
            minItems: 1,
            // YAML reads an unquoted id as a number, which the program takes while it has 12 digits.
            items: {
              anyOf: [
                { type: "string", pattern: ACCOUNT_ID_PATTERN.source },
                { type: "integer", minimum: 100000000000, maximum: 999999999999 },
              ],
            },
            description:
              "The accounts the stack may run in (quote the ids, so YAML keeps leading zeros): every ARN in config must be in one of them, and the AWS provider refuses other credentials before it changes anything. Without it, the account the config's ARNs name. Another stack file beside this one that names one of these accounts may not also have `oidc.mode: create`: IAM keeps one GitHub provider per account.",
          },
          ...Object.fromEntries(
            Object.entries(sections).map(([section, schema]) => [`${PROJECT}:${section}`, schema]),
          ),
        },
        patternProperties: {
          // Any other delivery:<key> holds an encrypted value a `source: config` secret names.
          [`^${PROJECT}:(?!(?:${sectionNames})$)[A-Za-z][A-Za-z0-9_-]*$`]: {
            ...SECURE_VALUE,
            description:
              "The encrypted value a `source: config` secret names (`delivery:secrets` or `delivery:github.secrets`); set it with `pulumi config set --secret`.",
          },
          // Other providers' and projects' keys are theirs to check.
          [`^(?!${PROJECT}:)[A-Za-z0-9_.-]+:.+$`]: {},
        },
        additionalProperties: false,
      },
      secretsprovider: { type: "string" },
      encryptedkey: { type: "string" },
      encryptionsalt: { type: "string" },
      environment: { description: "Pulumi ESC environments the stack imports." },
    },
    additionalProperties: false,
    // What the program needs, unless a Pulumi ESC environment may supply it (the editor cannot
    // see what an environment holds; the program and `npm run plan` still check it).
    if: { not: { required: ["environment"] } },
    then: {
      properties: {
        config: {
          type: "object",
          required: ["github:owner", "aws:region", ...required.map((s) => `${PROJECT}:${s}`)],
        },
      },
    },
  };
}

/** The committed file's text. */
export function stackFileSchemaText(): string {
  return `${JSON.stringify(stackFileSchema(), null, 2)}\n`;
}
