/**
 * This repository's pipelines and the app repository's generated deploy workflows: valid against
 * GitHub's workflow schema, and wired the way the product promises.
 */
import { strict as assert } from "assert";
import { validateWorkflow } from "@action-validator/core";
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ACTIONS, PinnedAction } from "../lib/actions";
import { deployWorkflow, serviceTags } from "../lib/workflows";
import { templateFiles } from "../scripts/templates";
import { plan, shippedStack } from "./hooks";
import { ofType } from "./support";
import { PROJECT_DIR as ROOT } from "../stacks/stackFiles";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  strategy?: { matrix: { include?: Record<string, string>[]; stack?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const listFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
const workflowFiles = [
  ...listFiles(path.join(ROOT, ".github", "workflows")),
  ...listFiles(path.join(ROOT, "templates")).filter((f) => f.endsWith(".yml")),
];
const load = (file: string) => parse(readFileSync(path.join(ROOT, file), "utf8")) as Workflow;
const assumesRole = (job: Job) =>
  job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));

describe("workflows", () => {
  it("finds this repository's workflows and the generated templates", () => {
    const names = workflowFiles.map((f) => path.relative(ROOT, f)).sort();
    assert.ok(names.includes(".github/workflows/preview.yml"));
    assert.ok(names.includes(".github/workflows/deploy.yml"));
    assert.ok(names.includes("templates/prod/.github/workflows/deploy-backend-prod.yml"));
  });

  for (const file of workflowFiles) {
    const name = path.relative(ROOT, file);
    it(`${name} is valid against GitHub's workflow schema`, () => {
      const result = validateWorkflow(readFileSync(file, "utf8")) as { errors: unknown[] };
      assert.deepEqual(result.errors, [], JSON.stringify(result.errors, null, 2));
    });

    it(`${name} grants id-token: write only to jobs that assume a role`, () => {
      const workflow = load(name);
      assert.notEqual(workflow.permissions?.["id-token"], "write", "never workflow-wide");
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        assert.equal(
          job.permissions?.["id-token"] === "write",
          assumesRole(job),
          `${jobName}: id-token write iff it assumes a role`,
        );
      }
    });

    it(`${name} pins every action to a release's commit SHA, says which release, and checks out without keeping the token`, () => {
      const text = readFileSync(file, "utf8");
      const pins = new Map<string, PinnedAction>(
        Object.values(ACTIONS).map((a) => [a.repository, a]),
      );
      for (const [jobName, job] of Object.entries(load(name).jobs)) {
        for (const step of job.steps.filter((s) => s.uses)) {
          const [repository, ref] = String(step.uses).split("@");
          const pin = pins.get(repository);
          assert.ok(pin, `${jobName}: ${repository} is one of the product's pinned actions`);
          assert.equal(ref, pin.sha, `${jobName}: ${repository} at the SHA of ${pin.version}`);
          assert.ok(
            text.includes(`uses: ${repository}@${pin.sha} # ${pin.version}`),
            `${jobName}: ${repository}'s release is named next to its SHA`,
          );
          if (repository === ACTIONS.checkout.repository) {
            assert.equal(step.with?.["persist-credentials"], false, `${jobName}: checkout`);
          }
          if (repository === ACTIONS.qemu.repository) {
            assert.match(String(step.with?.image), /:qemu-v[\d.]+-\d+@sha256:[0-9a-f]{64}$/);
          }
        }
      }
    });

    it(`${name} restores no dependency cache when a release, a tag or a branch push triggers it`, () => {
      const workflow = load(name);
      const trusted = "release" in workflow.on || "push" in workflow.on;
      if (!trusted) return;
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
          assert.equal(step.with?.cache, undefined, `${jobName}: no cache input`);
          assert.equal(
            step.with?.["package-manager-cache"],
            false,
            `${jobName}: no implicit cache`,
          );
        }
        assert.ok(
          !job.steps.some((s) => s.uses?.startsWith("actions/cache")),
          `${jobName}: no actions/cache`,
        );
      }
    });
  }

  it("previews each stack on pull requests in its reviewed preview environment, one comment per stack edited in place, and in the job summary", () => {
    const preview = load(".github/workflows/preview.yml");
    assert.ok("pull_request" in preview.on);
    const job = preview.jobs.preview;
    assert.deepEqual(job.strategy?.matrix.stack, ["staging", "prod"]);
    assert.equal(job.environment, "preview-${{ matrix.stack }}");
    const step = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(step?.with?.command, "preview");
    assert.equal(step?.with?.["comment-on-pr"], true);
    assert.equal(step?.with?.["edit-pr-comment"], true);
    // pulumi/actions v7.0.0's action.yml: comment-on-summary writes the job summary.
    assert.equal(step?.with?.["comment-on-summary"], true);
    assert.match(String(step?.with?.["stack-name"]), /\$\{\{ matrix\.stack \}\}$/);
    assert.equal(job.permissions?.["pull-requests"], "write");
  });

  it("gives pull-request jobs no long-lived credential that can write the app repository or decrypt a stack", () => {
    const text = readFileSync(path.join(ROOT, ".github/workflows/preview.yml"), "utf8");
    // Neither the Pulumi token that decrypts prod's secrets nor the app repository's admin token.
    assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|DELIVERY_GITHUB_TOKEN\b/);
    const preview = load(".github/workflows/preview.yml");
    for (const [name, job] of Object.entries(preview.jobs)) {
      const body = JSON.stringify(job);
      if (job.environment === undefined) {
        // Runs before any review: no secret, no OIDC token.
        assert.ok(!body.includes("secrets."), `${name} reads no secret`);
        assert.notEqual(job.permissions?.["id-token"], "write", `${name} gets no OIDC token`);
      } else {
        assert.match(
          String(job.environment),
          /^preview-/,
          `${name} waits for a reviewed environment`,
        );
        // Pulumi Cloud by token exchange, short-lived; GitHub read-only.
        const auth = job.steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"));
        assert.equal(
          auth?.with?.["requested-token-type"],
          "urn:pulumi:token-type:access_token:team",
        );
        assert.equal(auth?.with?.["token-expiration"], 3600);
        assert.deepEqual(
          [...body.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]),
          ["DELIVERY_GITHUB_READ_TOKEN"],
        );
      }
    }
  });

  it("plans every pull request offline, forks included, with the access diagram and what changed in access", () => {
    const preview = load(".github/workflows/preview.yml");
    assert.ok(preview.jobs.test.steps.some((s) => s.run === "npm test"));
    assert.equal(
      preview.jobs.preview.if,
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    const offline = preview.jobs["offline-plan"];
    assert.equal(offline.if, undefined, "every pull request");
    assert.deepEqual(offline.permissions, { contents: "read" });
    assert.deepEqual(offline.strategy?.matrix.stack, ["staging", "prod"]);
    const runs = offline.steps.map((s) => s.run ?? "").join("\n");
    assert.match(runs, /plan -- --stack "\$STACK" --json "\$RUNNER_TEMP\/plan\.json" --markdown/);
    assert.match(runs, /plan -- --compare "\$RUNNER_TEMP\/base\.json" "\$RUNNER_TEMP\/plan\.json"/);
    assert.match(runs, /GITHUB_STEP_SUMMARY/);
    assert.ok(
      offline.steps.some((s) => s.with?.ref === "${{ github.event.pull_request.base.sha }}"),
      "the base branch is planned with its own code",
    );
  });

  it("updates staging on merges and prod on releases behind the production environment, one update per stack at a time", () => {
    const deploy = load(".github/workflows/deploy.yml");
    assert.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
    assert.ok("release" in deploy.on);
    const { staging, prod } = deploy.jobs;
    assert.equal(staging.environment, "staging");
    assert.equal(prod.environment, "production");
    assert.equal(prod.if, "github.event_name == 'release'");
    for (const [job, stack] of [
      [staging, "staging"],
      [prod, "prod"],
    ] as const) {
      assert.deepEqual(job.concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false });
      const up = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.equal(up?.with?.command, "up");
      assert.match(String(up?.with?.["stack-name"]), new RegExp(`${stack}$`));
    }
  });

  it("never uses stored AWS keys in this repository's pipelines", () => {
    for (const name of [".github/workflows/preview.yml", ".github/workflows/deploy.yml"]) {
      const text = readFileSync(path.join(ROOT, name), "utf8");
      assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/);
    }
  });
});

describe("app repository templates", () => {
  it("are up to date with the shipped stack files", () => {
    for (const stack of ["staging", "prod"]) {
      for (const [file, text] of Object.entries(
        templateFiles(stack, path.join(ROOT, `Pulumi.${stack}.yaml`)),
      )) {
        assert.equal(
          readFileSync(path.join(ROOT, "templates", file), "utf8"),
          text,
          `templates/${file} is stale: run npm run templates`,
        );
      }
    }
  });

  it("read only variables and secrets the GitHub side writes for the stage", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const run = await plan(shippedStack(stack));
      const written = new Set(
        ofType(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map((v) =>
          String(v.inputs.variableName),
        ),
      );
      const secrets = new Set(
        ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret").map((s) =>
          String(s.inputs.secretName),
        ),
      );
      for (const svc of ["backend", "frontend"]) {
        const text = readFileSync(
          path.join(ROOT, "templates", stack, ".github", "workflows", `deploy-${svc}-${stack}.yml`),
          "utf8",
        );
        const vars = [...text.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1]);
        const read = [...text.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]);
        assert.ok(vars.length > 4 && read.length > 0);
        for (const v of vars)
          assert.ok(
            written.has(v),
            `${stack}/${svc} reads vars.${v}, which the stack does not write`,
          );
        for (const s of read)
          assert.ok(
            secrets.has(s),
            `${stack}/${svc} reads secrets.${s}, which the stack does not write`,
          );
      }
    }
  });

  it("build the configured architecture, tag with the git SHA, deploy in the stage's environment and fail on a rollback", () => {
    const workflow = load("templates/prod/.github/workflows/deploy-backend-prod.yml");
    const job = workflow.jobs.deploy;
    assert.equal(job.environment, "production");
    assert.deepEqual((workflow.on.push as { tags: string[] }).tags, ["backend-v*"]);
    const build = job.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    assert.equal(build?.with?.platforms, "linux/arm64");
    assert.equal(
      build?.with?.tags,
      "${{ steps.ecr.outputs.registry }}/${{ vars.ECR_REPOSITORY_BACKEND }}:${{ github.sha }}",
    );
    const deploy = job.steps.find((s) =>
      s.uses?.startsWith("aws-actions/amazon-ecs-deploy-task-definition@"),
    );
    assert.equal(deploy?.with?.["wait-for-service-stability"], true);
    const rollback = job.steps.find((s) => s.name === "Fail if ECS rolled the deployment back");
    assert.match(String(rollback?.run), /rolloutState/);
    assert.match(String(rollback?.run), /exit 1/);
    const names = job.steps.map((s) => s.name);
    assert.ok(
      names.indexOf("Check the deploy credentials") <
        names.indexOf("Assume the deploy role (OIDC)"),
    );
    assert.ok(names.indexOf("Verify the AWS identity") < names.indexOf("Log in to ECR"));
  });

  it("push a moving stage tag only where tags are mutable, and offer the break-glass keys only when enabled", () => {
    const base = {
      stack: "staging",
      environment: "staging",
      service: "api",
      architecture: "X86_64" as const,
      build: { context: "./api" },
      deployBranches: ["main"],
      deployTags: [],
      layout: "flat" as const,
      placed: true,
      loadBalanced: false,
      events: ["push"],
      roleArn: { name: "AWS_ROLE_ARN", kind: "secret" },
    } as const;
    const mutable = JSON.stringify(deployWorkflow({ ...base, movingTag: true, fallback: false }));
    const immutable = JSON.stringify(deployWorkflow({ ...base, movingTag: false, fallback: true }));
    assert.ok(mutable.includes(":staging"));
    assert.ok(!immutable.includes("ECR_REPOSITORY_API }}:staging"));
    assert.ok(!mutable.includes("AWS_ACCESS_KEY_ID"));
    assert.ok(immutable.includes("secrets.AWS_SECRET_ACCESS_KEY"));
    assert.ok(mutable.includes("linux/amd64") && !mutable.includes("setup-qemu"));
  });

  it("trigger each service on its own tag pattern", () => {
    const services = ["backend", "frontend", "worker"];
    assert.deepEqual(serviceTags("backend", services, ["backend-v*", "frontend-v*"]), [
      "backend-v*",
    ]);
    // A shared tag deploys every service; another service's tag never does.
    assert.deepEqual(serviceTags("worker", services, ["v*"]), ["v*"]);
    assert.deepEqual(serviceTags("worker", services, ["backend-v*", "frontend-v*"]), []);
  });
});
