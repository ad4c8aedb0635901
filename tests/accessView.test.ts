/**
 * The plan shows the access model: who can do what (trigger -> protection -> principal -> actions
 * on resources) in the summary, the JSON and the pull request's diagram, and what a change does
 * to it, access first.
 */
import { strict as assert } from "assert";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AccessDocument, AccessPath } from "../scripts/accessView";
import { comparePlans, planDocument, planMarkdown, runPlanCommand } from "../scripts/plan";
import { summarize } from "../scripts/summary";
import { plan, shippedPlans, shippedStack } from "./hooks";
import { withConfig } from "./support";

const prod = () => shippedStack("prod");
const accessOf = (doc: Record<string, unknown>) => doc.access as AccessDocument;

describe("who can do what", () => {
  it("prints, before anything else is described, that prod's deploy role is reached only through the reviewed production environment", async () => {
    const { prod: run } = await shippedPlans();
    const text = summarize(run);
    const section = text.slice(
      text.indexOf("Who can do what"),
      text.indexOf("GitHub OIDC provider"),
    );
    assert.ok(text.indexOf("Who can do what") < text.indexOf("GitHub Actions role"));
    assert.match(
      section,
      /environment production of acme\/shop\n {4}protection: only from tag backend-v\*, tag frontend-v\*, tag package-v\*; reviewers: user alice-ops, team shop-maintainers; no self-review; no admin bypass; wait 5 min; deploy tags created, moved or deleted only by role admin\n {4}-> role shop-prod-deploy \[read, write\]/,
    );
    assert.match(section, /ecs:RegisterTaskDefinition on task-definition\/shop-prod-backend:\*/);
    assert.match(
      section,
      /never ecs:RegisterTaskDefinition on \* if ecs:privileged StringEquals true/,
    );
    assert.match(
      section,
      /-> role shop-prod-publish \[secret\]\n {7}secretsmanager:GetSecretValue on secret:shop\/prod\/npm-token-/,
    );
  });

  it("writes every path into the JSON: in prod, whatever may write or read a secret from GitHub comes through the reviewed environment", async () => {
    const { prod: run } = await shippedPlans();
    const { paths, environment } = accessOf(planDocument(run));
    assert.equal(environment.name, "production");
    const github = paths.filter((p) => / of acme\//.test(p.from));
    assert.deepEqual(
      github.map((p) => [p.from, p.principal, p.classes]),
      [
        ["environment preview-prod of acme/shop-infra", "shop-prod-preview", ["read"]],
        ["environment production of acme/shop", "shop-prod-deploy", ["read", "write"]],
        ["environment production of acme/shop", "shop-prod-publish", ["secret"]],
      ],
    );
    for (const p of github.filter((x) => x.classes.some((c) => c !== "read"))) {
      assert.ok(p.protection.includes("reviewers: user alice-ops, team shop-maintainers"), p.from);
      assert.ok(p.protection.includes("no admin bypass"), p.from);
    }
    const execution = paths.find(
      (p) => p.principal === "shop-prod-backend-execution",
    ) as AccessPath;
    const reads = execution.permissions.find((x) =>
      x.actions.includes("secretsmanager:GetSecretValue"),
    );
    // Exactly its own secrets, with the ARNs the stage's account gives them.
    assert.deepEqual(
      reads?.resources.map((r) => r.replace(/-[A-Za-z0-9]{6}$/, "")),
      ["database-url", "jwt-secret", "openai-key"].map(
        (k) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/${k}`,
      ),
    );
  });

  it("draws the paths as a Mermaid diagram for the pull request's job summary", async () => {
    const { prod: run } = await shippedPlans();
    const markdown = planMarkdown(run, summarize(run));
    const diagram = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? "";
    assert.match(diagram, /^flowchart LR\n/);
    const id = (label: string) => new RegExp(`(n\\d+)\\(?\\[+"${label}"`).exec(diagram)?.[1];
    const env = id("environment production of acme/shop");
    const deploy = id("role shop-prod-deploy");
    assert.ok(env && deploy, diagram);
    assert.match(
      diagram,
      new RegExp(
        `${env} -- "only from tag backend-v\\*[^"]*reviewers: user alice-ops[^"]*" --> ${deploy}`,
      ),
    );
    assert.match(markdown, /<details><summary>Full plan and policy pack<\/summary>/);
  });
});

describe("comparing two plans", () => {
  const changes = async (after: Record<string, unknown>) => {
    const { prod: run } = await shippedPlans();
    const before = planDocument(run);
    const next = planDocument(await plan(withConfig(prod(), after)));
    return comparePlans(before as never, next as never);
  };

  it("lists a new way in first: a read-only role any job on main can assume", async () => {
    const lines = await changes({
      "delivery:roles.ci": { subjects: ["ref:refs/heads/main"], grants: { previewReadOnly: true } },
    });
    assert.equal(
      lines[0],
      "Access changes, stack prod (new ways in, new permissions, weaker protection first):",
    );
    assert.match(
      lines[1],
      /^ {2}NEW WAY IN: a job on branch main of acme\/shop -> shop-prod-ci \[read\]; protection: whoever may push branch main$/,
    );
    assert.ok(
      lines.some((l) => /^ {2}\+ urn:pulumi:prod::delivery::.*shop-ci$/.test(l)),
      lines.join("\n"),
    );
  });

  it("names a weaker protection: prod's wait timer dropped", async () => {
    const lines = await changes({ "delivery:github.protection.waitTimerMinutes": 0 });
    const weaker = lines.filter((l) => l.includes("WEAKER PROTECTION"));
    assert.deepEqual(
      weaker.map((l) => l.replace(/; now: .*$/, "")),
      [
        '  WEAKER PROTECTION: environment production of acme/shop -> shop-prod-deploy: no longer "wait 5 min"',
        '  WEAKER PROTECTION: environment production of acme/shop -> shop-prod-publish: no longer "wait 5 min"',
      ],
    );
    assert.ok(
      lines.indexOf(weaker[0]) <
        lines.indexOf("Resource changes (+ added, - removed, ~ inputs changed):"),
    );
  });

  it("names a new permission: the deploy role reaching a new service's repository", async () => {
    const lines = await changes({
      "delivery:services.worker": { port: 9000, healthCheckPath: "/health" },
      "delivery:github.deployTags": ["backend-v*", "frontend-v*", "package-v*", "worker-v*"],
    });
    assert.ok(
      lines.some((l) =>
        /^ {2}NEW PERMISSION: environment production of acme\/shop -> shop-prod-deploy: ecr:BatchCheckLayerAvailability, .*repository\/shop-prod-worker/.test(
          l,
        ),
      ),
      lines.join("\n"),
    );
  });

  it("runs from the command line on two --json files", async () => {
    const { prod: run } = await shippedPlans();
    const dir = mkdtempSync(path.join(tmpdir(), "compare-"));
    const file = path.join(dir, "prod.json");
    writeFileSync(file, JSON.stringify(planDocument(run)));
    let out = "";
    const status = await runPlanCommand(["--compare", file, file], {
      out: (t) => (out += t),
      err: () => undefined,
    });
    assert.equal(status, 0);
    assert.match(
      out,
      /^Access changes, stack prod .*\n {2}none\n\nResource changes .*\n {2}none\n$/,
    );
    assert.equal(
      await runPlanCommand(["--compare", file], { out: () => undefined, err: () => undefined }),
      2,
    );
  });
});
