/**
 * `npm run docs`: writes what is generated from the schema — the stack file's JSON Schema
 * (`schema/stack.schema.json`, for editors) and the config reference (`docs/config.md`).
 * `npm test` fails when either is stale (tests/editorSchema.test.ts).
 */
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { SCHEMA_PATH, stackFileSchema, stackFileSchemaText } from "../stacks/jsonSchema";
import { configReference } from "./configReference";

/** Where the config reference is committed, relative to the project root. */
export const CONFIG_REFERENCE_PATH = "docs/config.md";

/** Every generated file: path relative to the project root → content. */
export function generatedDocs(): Record<string, string> {
  return {
    [SCHEMA_PATH]: stackFileSchemaText(),
    [CONFIG_REFERENCE_PATH]: configReference(stackFileSchema()),
  };
}

if (require.main === module) {
  const root = path.join(__dirname, "..");
  for (const [file, text] of Object.entries(generatedDocs())) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
