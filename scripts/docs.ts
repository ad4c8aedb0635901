/**
 * `npm run docs`: writes what is generated from the schema — the stack file's JSON Schema
 * (`schema/stack.schema.json`, for editors) and the config reference (`docs/config.md`).
 * `npm test` fails when either is stale (tests/editorSchema.test.ts).
 */
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/stackFiles";
import { SCHEMA_PATH, stackFileSchema, stackFileSchemaText } from "../stacks/jsonSchema";
import { ConfigError, loadStage } from "../stacks/load";
import { readStack } from "../stacks/stackFiles";
import { configReference } from "./configReference";

/** Where the config reference is committed, relative to the project root. */
export const CONFIG_REFERENCE_PATH = "docs/config.md";

/**
 * What the program prints for a refused config, for the reference's example: the shipped staging
 * stack file with its backend on port 70000 and two deploy role subjects it refuses.
 */
export function exampleRefusal(): string {
  const input = readStack("staging");
  const values = { ...input.values };
  const services = JSON.parse(values["delivery:services"]) as Record<string, { port?: number }>;
  services.backend.port = 70000;
  const deployRole = JSON.parse(values["delivery:deployRole"]) as { subjects?: string[] };
  deployRole.subjects = ["environment:production", "ref:refs/tags/backend-v*"];
  values["delivery:services"] = JSON.stringify(services);
  values["delivery:deployRole"] = JSON.stringify(deployRole);
  try {
    loadStage({ ...input, values });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("docs: the example of a refused config was accepted");
}

/** Every generated file: path relative to the project root → content. */
export function generatedDocs(): Record<string, string> {
  return {
    [SCHEMA_PATH]: stackFileSchemaText(),
    [CONFIG_REFERENCE_PATH]: configReference(stackFileSchema(), exampleRefusal()),
  };
}

if (require.main === module) {
  const root = PROJECT_DIR;
  for (const [file, text] of Object.entries(generatedDocs())) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
