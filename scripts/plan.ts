/**
 * `npm run plan -- [--stack NAME] [--config FILE] [--json FILE] [--markdown FILE] [--account-id ID]`
 * `npm run plan -- --compare BEFORE.json AFTER.json`
 *
 * Evaluates the real program for one stack on Pulumi's mock runtime (no cloud access, no Pulumi
 * CLI) and prints what it would build; `--markdown` also writes it for a pull request's job
 * summary, with the access model as a Mermaid diagram. `--compare` lists what changed between two
 * `--json` plans, access changes first. Exit status: 0 planned, 1 config refused, 2 bad usage,
 * 3 program error, 4 mandatory policy violations.
 */
import { existsSync, readFileSync, writeFileSync } from "fs";
import { parseArgs } from "util";
import { ConfigError } from "../stacks/load";
import { DEFAULT_ACCOUNT_ID, MockCloud } from "./mocks";
import { OfflineRun, runOffline } from "./offline";
import { readStack, stackFilePath } from "../stacks/stackFiles";
import { arnValuesOf, planCost, summarize } from "./summary";
import { AccessDocument, accessChanges, accessMermaid, accessPaths } from "./accessView";
import { formatViolations, runPolicies } from "../policy/run";
import { totalMonthlyCost } from "../lib/cost";

/**
 * The `--json` document: every resource as the program hands it to the engine (inputs, options),
 * the data sources it read, its outputs and the cost estimate; secrets masked. The command adds
 * the policy pack's violations.
 */
export function planDocument(run: OfflineRun): Record<string, unknown> {
  const lines = planCost(run);
  return {
    project: run.project,
    stack: run.stack,
    warnings: run.stage.warnings,
    shared: run.stage.shared,
    access: {
      environment: run.stage.access.environment,
      paths: accessPaths(run.stage, arnValuesOf(run)),
    } satisfies AccessDocument,
    resources: run.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      id: r.id,
      parent: r.parent ?? null,
      inputs: r.inputs,
      state: r.state,
      options: r.options,
    })),
    reads: run.calls,
    outputs: run.outputs,
    cost: {
      currency: "USD",
      region: run.stage.region,
      lines,
      monthlyTotal: totalMonthlyCost(lines),
    },
  };
}

const USAGE = [
  "usage: npm run plan -- [--stack staging|prod|NAME] [--config FILE] [--json FILE] [--markdown FILE] [--account-id 123456789012]",
  "       npm run plan -- --compare BEFORE.json AFTER.json",
].join("\n");

/** A `--json` plan, as `--compare` reads it. */
interface PlanJson {
  readonly stack: string;
  readonly access: AccessDocument;
  readonly resources: readonly { readonly urn: string; readonly inputs: unknown }[];
}

/** What changed from one plan to the other: access first, then resources by URN. */
export function comparePlans(before: PlanJson, after: PlanJson): string[] {
  const access = accessChanges(before.access, after.access);
  const old = new Map(before.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
  const now = new Map(after.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
  const resources = [
    ...[...now.keys()].filter((u) => !old.has(u)).map((u) => `+ ${u}`),
    ...[...old.keys()].filter((u) => !now.has(u)).map((u) => `- ${u}`),
    ...[...now.entries()].filter(([u, i]) => old.has(u) && old.get(u) !== i).map(([u]) => `~ ${u}`),
  ];
  return [
    `Access changes, stack ${after.stack} (new ways in, new permissions, weaker protection first):`,
    ...(access.length ? access.map((a) => `  ${a}`) : ["  none"]),
    "",
    "Resource changes (+ added, - removed, ~ inputs changed):",
    ...(resources.length ? resources.map((r) => `  ${r}`) : ["  none"]),
  ];
}

/** The plan for a pull request's job summary: warnings, the access diagram, the full text. */
export function planMarkdown(run: OfflineRun, text: string): string {
  return [
    `## Offline plan: stack ${run.stack} (stage ${run.stage.name})`,
    "",
    ...run.stage.warnings.map((w) => `> **Warning:** ${w}\n`),
    "### Who can do what",
    "",
    "```mermaid",
    accessMermaid(accessPaths(run.stage, arnValuesOf(run))),
    "```",
    "",
    "<details><summary>Full plan and policy pack</summary>",
    "",
    "```text",
    text.trimEnd(),
    "```",
    "",
    "</details>",
    "",
  ].join("\n");
}

/** Where the command writes; the process streams when run from the shell. */
export interface PlanIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * The plan command. Returns the exit status: 0 planned, 1 config refused, 2 bad usage, 4 planned
 * but the policy pack reports a mandatory violation. Program errors are thrown (the shell entry
 * point reports them with status 3).
 */
export async function runPlanCommand(argv: readonly string[], io: PlanIo): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", default: "staging" },
        config: { type: "string" },
        json: { type: "string" },
        markdown: { type: "string" },
        compare: { type: "boolean", default: false },
        "account-id": { type: "string", default: DEFAULT_ACCOUNT_ID },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.compare || positionals.length > 0) {
    if (!values.compare || positionals.length !== 2) {
      io.err(`--compare takes two plan JSON files, written with --json\n${USAGE}\n`);
      return 2;
    }
    const [before, after] = positionals.map((f) => JSON.parse(readFileSync(f, "utf8")) as PlanJson);
    io.out(`${comparePlans(before, after).join("\n")}\n`);
    return 0;
  }
  const stack = values.stack;
  const accountId = values["account-id"];
  if (!/^\d{12}$/.test(accountId)) {
    io.err(`--account-id must be 12 digits, got "${accountId}"\n${USAGE}\n`);
    return 2;
  }
  const file = stackFilePath(stack, values.config);
  if (!existsSync(file)) {
    io.err(
      `no config file ${file}${values.config ? "" : "; create it or pass --config FILE"}\n${USAGE}\n`,
    );
    return 2;
  }

  const input = readStack(stack, values.config);
  // An unset aws:region is refused by runOffline's validation before the mock is asked for
  // anything, so the fallback here never shows.
  const cloud = new MockCloud({
    accountId,
    region: input.values["aws:region"] ?? "us-east-1",
  });
  let run: OfflineRun;
  try {
    run = await runOffline(cloud, input);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // The same policy pack `pulumi preview --policy-pack policy` runs, over the planned resources.
  // As the CLI starts the pack: with the stack's stage and its config (the waiver, the ids).
  const violations = await runPolicies(run.resources, {
    stackStage: run.stage.name,
    stackConfig: input.values,
    stackName: run.stage.stack,
  });
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const text = `${summarize(run)}\n\n${
    violations.length === 0
      ? "Policy pack (policy/): no violations.\n"
      : `Policy pack (policy/): ${violations.length} violation(s), ${mandatory} mandatory:\n${formatViolations(violations).join("\n")}\n`
  }`;
  io.out(text);
  if (values.markdown) {
    writeFileSync(values.markdown, planMarkdown(run, text));
    io.out(`\nwrote ${values.markdown}\n`);
  }
  if (values.json) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ ...planDocument(run), violations }, null, 2)}\n`,
    );
    io.out(`\nwrote ${values.json}\n`);
  }
  // A mandatory violation would stop `pulumi up`; say so with the exit status too.
  return mandatory > 0 ? 4 : 0;
}

if (require.main === module) {
  // A registration the offline cloud refuses also rejects the SDK's own promises; the run has
  // already failed with the reason, so they only need the program-error status.
  process.on("unhandledRejection", () => {
    process.exitCode = 3;
  });
  runPlanCommand(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (status) => {
      process.exitCode = status;
    },
    (err: unknown) => {
      process.stderr.write(
        `plan failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 3;
    },
  );
}
