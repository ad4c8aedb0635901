/**
 * The stack file's JSON Schema and the config reference: generated from the program's schema and
 * committed current; an editor given the schema accepts every shipped stack file and recipe and
 * flags what the program would refuse by shape (a misspelt key, a string for a number).
 */
import { strict as assert } from "assert";
import { existsSync, readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { SCHEMA_PATH, STAGE_DEFAULTS_KEYWORD, schemaModeline } from "../stacks/jsonSchema";
import { generatedDocs } from "../scripts/docs";
import { stackFileValidator } from "./stackSchema";
import { PROJECT_DIR } from "../stacks/stackFiles";

const ROOT = PROJECT_DIR;

/** Every stack file the repository ships: the two stacks and the recipes. */
const STACK_FILES = [
  "Pulumi.staging.yaml",
  "Pulumi.prod.yaml",
  ...readdirSync(path.join(ROOT, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => `examples/${f}`),
];

const validator = stackFileValidator;

const shipped = (file: string) =>
  parse(readFileSync(path.join(ROOT, file), "utf8")) as { config: Record<string, unknown> };

/** The errors for a shipped stack file with its config changed. */
function errorsWith(file: string, change: (config: Record<string, unknown>) => void): string[] {
  const doc = shipped(file);
  change(doc.config);
  const validate = validator();
  return validate(doc)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
      );
}

describe("editor schema and config reference", () => {
  it("are committed as the program's schema generates them (npm run docs)", () => {
    for (const [file, text] of Object.entries(generatedDocs())) {
      assert.equal(
        readFileSync(path.join(ROOT, file), "utf8"),
        text,
        `${file} is stale. Fix: npm run docs, and commit the result`,
      );
    }
  });

  it("accepts every shipped stack file and recipe", () => {
    const validate = validator();
    assert.ok(STACK_FILES.length >= 7);
    for (const file of STACK_FILES) {
      assert.ok(validate(shipped(file)), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("flags a misspelt key at any depth, a string where a number goes, and a plain-text value", () => {
    const misspelt = errorsWith("Pulumi.staging.yaml", (c) => {
      c["delivery:servics"] = c["delivery:services"];
    });
    assert.ok(
      misspelt.some((e) => e.includes("/config/delivery:servics")),
      misspelt.join("\n"),
    );

    const nested = errorsWith("Pulumi.staging.yaml", (c) => {
      (c["delivery:services"] as Record<string, Record<string, unknown>>).backend.prot = 5000;
    });
    assert.ok(
      nested.some(
        (e) =>
          e.includes("/config/delivery:services/backend") &&
          e.includes('"additionalProperty":"prot"'),
      ),
      nested.join("\n"),
    );

    const typed = errorsWith("Pulumi.prod.yaml", (c) => {
      (c["delivery:services"] as Record<string, Record<string, unknown>>).backend.port = "5000";
    });
    assert.ok(
      typed.some((e) => e.startsWith("/config/delivery:services/backend/port must be integer")),
      typed.join("\n"),
    );

    // GitHub refuses GITHUB_ in any letter case; the schema's pattern carries no flags.
    const reserved = errorsWith("Pulumi.staging.yaml", (c) => {
      (c["delivery:services"] as Record<string, Record<string, unknown>>).backend.variableNames = {
        repository: "github_repo",
      };
    });
    assert.ok(
      reserved.some((e) =>
        e.startsWith(
          "/config/delivery:services/backend/variableNames/repository must match pattern",
        ),
      ),
      reserved.join("\n"),
    );

    const plain = errorsWith("Pulumi.staging.yaml", (c) => {
      c["delivery:databaseUrl"] = "postgres://user:password@db/shop";
    });
    assert.ok(
      plain.some((e) => e.startsWith("/config/delivery:databaseUrl must be object")),
      plain.join("\n"),
    );
  });

  it("leaves other providers' keys to them, and requires what the program requires", () => {
    assert.deepEqual(
      errorsWith("Pulumi.staging.yaml", (c) => {
        c["aws:profile"] = "shop-staging";
      }),
      [],
    );
    const missing = errorsWith("Pulumi.staging.yaml", (c) => {
      delete c["aws:region"];
      delete c["delivery:app"];
    });
    assert.ok(missing.some((e) => e.includes('"missingProperty":"aws:region"')));
    assert.ok(missing.some((e) => e.includes('"missingProperty":"delivery:app"')));
    // A Pulumi ESC environment may supply them: the editor cannot tell, the program checks.
    const validate = stackFileValidator();
    const withEnvironment = shipped("Pulumi.staging.yaml") as Record<string, unknown> & {
      config: Record<string, unknown>;
    };
    delete withEnvironment.config["aws:region"];
    withEnvironment.environment = ["shop/staging"];
    assert.ok(validate(withEnvironment), JSON.stringify(validate.errors));
  });

  it("records a default that differs by stage as each stage's, not one of them", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, SCHEMA_PATH), "utf8")) as {
      properties: {
        config: { properties: Record<string, { properties: Record<string, unknown> }> };
      };
    };
    const ecr = schema.properties.config.properties["delivery:ecr"].properties;
    const mutability = ecr.imageTagMutability as Record<string, unknown>;
    // Both stages' defaults, and no single `default` an editor would offer for either stage.
    assert.deepEqual(Object.keys(mutability).sort(), [
      "description",
      "enum",
      "type",
      STAGE_DEFAULTS_KEYWORD,
    ]);
    assert.deepEqual(mutability[STAGE_DEFAULTS_KEYWORD], { staging: "MUTABLE", prod: "IMMUTABLE" });
    assert.deepEqual(mutability.enum, ["MUTABLE", "IMMUTABLE"]);
    const reference = readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
    assert.match(
      reference,
      /\| `imageTagMutability` \| `MUTABLE` \\\| `IMMUTABLE` \| `MUTABLE` \(staging\), `IMMUTABLE` \(prod\) \|/,
    );
  });

  it("gives every key of the reference its meaning, in cells that render as written", () => {
    const reference = generatedDocs()["docs/config.md"];
    const rows = reference
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => l.split(/(?<!\\)\|/).slice(1, -1));
    assert.ok(rows.length > 150, `only ${rows.length} rows`);
    for (const cells of rows) {
      assert.equal(cells.length, 4, cells.join("|"));
      assert.notEqual(cells[3].trim(), "", `${cells[0].trim()} has no meaning`);
      // Outside code spans, <word> would be read as an HTML tag and vanish.
      assert.doesNotMatch(cells.join("").replace(/`[^`]*`/g, ""), /<[A-Za-z]/, cells[0]);
    }
    // Keys every secret source shares are listed once, not once per source.
    assert.equal(reference.split("| `<name>.recoveryWindowDays` |").length, 2);
    assert.doesNotMatch(reference, /recoveryWindowDays \(source: /);
  });

  it("is what every shipped stack file points its editor at, on its first line", () => {
    for (const file of STACK_FILES) {
      const first = readFileSync(path.join(ROOT, file), "utf8").split("\n")[0];
      const relative = path.relative(
        path.dirname(path.join(ROOT, file)),
        path.join(ROOT, SCHEMA_PATH),
      );
      assert.equal(first, schemaModeline(relative), file);
      assert.ok(existsSync(path.resolve(path.dirname(path.join(ROOT, file)), relative)));
    }
  });
});
