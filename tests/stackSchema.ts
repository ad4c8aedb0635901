/**
 * The committed JSON Schema of a stack file, compiled by ajv in strict mode (unknown keywords are
 * errors), as an editor would apply it.
 */
import Ajv2020, { ValidateFunction } from "ajv/dist/2020";
import { readFileSync } from "fs";
import * as path from "path";
import { SCHEMA_PATH, STAGE_DEFAULTS_KEYWORD } from "../stacks/jsonSchema";
import { PROJECT_DIR } from "../stacks/stackFiles";

let compiled: ValidateFunction | undefined;

/** The validator of `schema/stack.schema.json`, compiled once per test run. */
export function stackFileValidator(): ValidateFunction {
  if (compiled) return compiled;
  // Provider keys the schema describes also match the pattern that leaves other keys alone.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    allowMatchingProperties: true,
    // The keys a stack file needs are required in a conditional subschema (unless an ESC
    // environment may supply them), where ajv's strict mode expects them declared again.
    strictRequired: false,
  });
  ajv.addKeyword({ keyword: STAGE_DEFAULTS_KEYWORD, schemaType: "object" });
  compiled = ajv.compile(
    JSON.parse(readFileSync(path.join(PROJECT_DIR, SCHEMA_PATH), "utf8")) as object,
  );
  return compiled;
}
