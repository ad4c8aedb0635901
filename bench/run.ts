/**
 * `npm run bench`: measures what the program costs in time and prints a table.
 *
 * - the floors: an empty Node.js process, loading `@pulumi/pulumi`, and loading every module of
 *   `node_modules` the offline plan loads (none of the project's own), so each figure below shows
 *   how far it is from what no change to this project can go under;
 * - the program's start as `pulumi preview`/`up` run it (`scripts/languageHost.ts`: the language host's
 *   command line and environment from `Pulumi.yaml`: the compiled program), next to `index.ts`
 *   through ts-node, transpiling only and type-checking (as it was before);
 * - offline plan wall time (a fresh process, as a user runs it) for each shipped stack and for
 *   generated configs of 1, 10, 50 and 200 services (two secrets each), with resources declared
 *   and time per resource, so growth is visible; and the staging plan through `tsx`, as before;
 * - start-up: time from process start to the first resource registration of the offline plan;
 * - the test suite with the project's settings (`npm test`: the compiled tests, one TypeScript 7
 *   type-check beside them), on a fresh clone and again, next to the runner before (tsx) and plain
 *   `mocha -r ts-node/register`, which type-checks every file as it loads with TypeScript 5.
 *
 * Variants of one measurement run interleaved, so a burst of load on this shared machine hits them
 * alike; each line shows the median and, in brackets, every run. Nothing here runs in CI; it is a
 * measurement, not a test.
 */
import { spawnSync } from "child_process";
import { cpus } from "os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { generatedStackFile } from "../scripts/generated";
import { PROJECT_DIR as ROOT } from "../stacks/stackFiles";
import { cliStartMs } from "../scripts/languageHost";
import { FIGURES_PATH, withFigures } from "./figures";

/** What a stage of 200 services needs: IAM quotas raised as far as IAM lets them be. */
const RAISED_QUOTAS = { "delivery:quotas": { managedPoliciesPerRole: 25 } };

const NODE = process.execPath;
/** `npm run plan`'s command line: the build check, then the compiled plan. */
const PLAN = ["-r", "./scripts/build.js", "build/scripts/plan.js"];
/** The plan as it ran before the build: TypeScript transformed as it loads, by tsx. */
const PLAN_TSX = ["-r", "tsx/cjs", "scripts/plan.ts"];
const TSC7 = "node node_modules/typescript-7/bin/tsc --noEmit -p . --singleThreaded";
const work = mkdtempSync(path.join(tmpdir(), "delivery-bench-"));

/** Runs a command and returns its wall time in ms; fails loudly if it fails. */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Runs every variant once per round, round after round, and returns each variant's times.
 * Interleaving spreads the machine's changing load over all variants alike.
 */
async function interleaved<K extends string>(
  rounds: number,
  variants: Record<K, () => number | Promise<number>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[];
  const times = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const k of keys) times[k].push(await variants[k]());
  }
  return times;
}

/** One line of the report: a label, the median and every run, in the given unit. */
function line(label: string, times: number[], unit: "ms" | "s" = "ms"): string {
  const show = (ms: number) => (unit === "s" ? (ms / 1000).toFixed(1) : ms.toFixed(0));
  return `  ${label.padEnd(58)}${show(median(times)).padStart(7)} ${unit}   (${times.map(show).join(", ")})`;
}

/** The `node_modules` files the staging plan loads, recorded by `bench/loadedModules.ts`. */
function planDependencies(): string[] {
  const list = path.join(work, "plan-modules.json");
  timed(NODE, ["-r", "./build/bench/loadedModules.js", ...PLAN.slice(2), "--stack", "staging"], {
    DELIVERY_LOADED_MODULES: list,
  });
  return JSON.parse(readFileSync(list, "utf8")) as string[];
}

/** Plans a stack file with `npm run plan`'s command line; returns the resources declared. */
function planArgs(stack: string, configFile: string | undefined, json: string): string[] {
  return [
    ...PLAN,
    "--stack",
    stack,
    "--json",
    json,
    ...(configFile ? ["--config", configFile] : []),
  ];
}

const resourcesIn = (json: string) =>
  (JSON.parse(readFileSync(json, "utf8")) as { resources: unknown[] }).resources.length;

function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join("  ");
}

async function main(): Promise<void> {
  const out: string[] = [
    `delivery benchmark, ${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores`,
    "",
  ];
  // Each section is printed as soon as it is measured: the whole run takes several minutes.
  const report: string[] = [];
  const flush = () => {
    const lines = out.splice(0);
    report.push(...lines);
    process.stdout.write(`${lines.join("\n")}\n`);
  };

  const dependencies = planDependencies();
  const depsFile = path.join(work, "deps.json");
  writeFileSync(depsFile, JSON.stringify(dependencies));
  const floors = await interleaved(5, {
    node: () => timed(NODE, ["-e", "0"]).ms,
    sdk: () => timed(NODE, ["-e", 'require("@pulumi/pulumi")']).ms,
    deps: () =>
      timed(NODE, [
        "-e",
        `for (const f of JSON.parse(require("fs").readFileSync(${JSON.stringify(depsFile)}, "utf8"))) require(f)`,
      ]).ms,
  });
  out.push("Floors (fresh process, median of 5 interleaved runs)");
  out.push(line("node -e 0", floors.node));
  out.push(line('require("@pulumi/pulumi")', floors.sdk));
  out.push(
    line(`the plan's dependencies (${dependencies.length} files of node_modules)`, floors.deps),
  );
  out.push("");
  flush();

  /** index.ts through ts-node, as the project ran before its build. */
  const tsNode = { typescript: true, main: "index.ts" };
  const cli = await interleaved(3, {
    configured: () => cliStartMs(ROOT, "staging"),
    transpileOnly: () =>
      cliStartMs(ROOT, "staging", { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }, tsNode),
    typeChecking: () =>
      cliStartMs(ROOT, "staging", { PULUMI_NODEJS_TRANSPILE_ONLY: "false" }, tsNode),
  });
  out.push(
    "Program start as `pulumi preview`/`up` run it (Pulumi.yaml's runtime options; process start",
    "to the first resource; median of 3 interleaved runs)",
  );
  out.push(line("as configured (the compiled program: scripts/program.js)", cli.configured));
  out.push(line("index.ts through ts-node, transpiling only", cli.transpileOnly));
  out.push(line("index.ts through ts-node, type-checking, as before", cli.typeChecking));
  out.push("");
  flush();

  out.push("Offline plan (`npm run plan`, fresh process, median of runs)");
  const widths = [28, 10, 10, 14];
  out.push(row(["config", "resources", "wall ms", "ms/resource"], widths));
  const stagingJson = path.join(work, "staging.json");
  const staging = await interleaved(5, {
    plan: () => timed(NODE, planArgs("staging", undefined, stagingJson)).ms,
    tsx: () => timed(NODE, [...PLAN_TSX, "--stack", "staging"]).ms,
  });
  const prodJson = path.join(work, "prod.json");
  const prod = Array.from(
    { length: 5 },
    () => timed(NODE, planArgs("prod", undefined, prodJson)).ms,
  );
  for (const [stack, times, json] of [
    ["staging", staging.plan, stagingJson],
    ["prod", prod, prodJson],
  ] as const) {
    const ms = median(times);
    const n = resourcesIn(json);
    out.push(row([`Pulumi.${stack}.yaml`, n, ms.toFixed(0), (ms / n).toFixed(1)], widths));
  }
  for (const n of [1, 10, 50, 200]) {
    const file = path.join(work, `services-${n}.yaml`);
    const json = path.join(work, `services-${n}.json`);
    writeFileSync(file, generatedStackFile(n, n > 100 ? RAISED_QUOTAS : {}));
    const ms = median(
      Array.from(
        { length: n >= 200 ? 1 : 3 },
        () => timed(NODE, planArgs("staging", file, json)).ms,
      ),
    );
    const resources = resourcesIn(json);
    out.push(
      row(
        [`${n} services x 2 secrets`, resources, ms.toFixed(0), (ms / resources).toFixed(1)],
        widths,
      ),
    );
  }
  out.push(line("Pulumi.staging.yaml through tsx, as before", staging.tsx));
  out.push("");

  const startup = JSON.parse(
    timed(NODE, ["-r", "./scripts/build.js", "build/bench/startup.js"]).stdout,
  ) as {
    firstRegistrationMs: number;
    totalMs: number;
  };
  out.push(
    `Start-up: first resource registered ${startup.firstRegistrationMs} ms after process start (whole staging plan ${startup.totalMs} ms)`,
    "",
  );
  flush();

  const mocha = path.join(ROOT, "node_modules", ".bin", "mocha");
  const tsMocha = ["--no-config", "--extension", "ts", "--timeout", "120000", "--reporter", "dot"];
  const specs = "'tests/**/*.test.ts'";
  const suite = await interleaved(3, {
    // A fresh clone: no build and no type-check cache, as in CI.
    cold: () => {
      rmSync(path.join(ROOT, "build"), { recursive: true, force: true });
      rmSync(path.join(ROOT, "node_modules", ".cache", "delivery"), {
        recursive: true,
        force: true,
      });
      return timed("bash", ["scripts/test.sh"]).ms;
    },
    warm: () => timed("bash", ["scripts/test.sh"]).ms,
    // npm test before the build: mocha through tsx beside the same type-check.
    tsx: () =>
      timed("bash", [
        "-c",
        `${TSC7} --incremental false & t=$!; ${mocha} ${tsMocha.join(" ")} -r tsx/cjs -r tests/hooks.ts ${specs}; m=$?; wait $t && exit $m`,
      ]).ms,
    base: () =>
      timed(
        mocha,
        [
          ...tsMocha,
          "--require",
          "ts-node/register",
          "--require",
          "tests/hooks.ts",
          "tests/**/*.test.ts",
        ],
        { TS_NODE_TRANSPILE_ONLY: "false" },
      ).ms,
  });
  const baseline = median(suite.base);
  out.push("Test suite (same tests; median of 3 interleaved rounds, each round in brackets)");
  out.push(line("npm test, fresh clone (build and type-check from scratch)", suite.cold, "s"));
  out.push(line("npm test, again", suite.warm, "s"));
  out.push(line("npm test as before (tsx, the same type-check beside)", suite.tsx, "s"));
  out.push(line("mocha -r ts-node/register (type-checks as it loads)", suite.base, "s"));
  out.push(
    `  ratio to ts-node: ${(baseline / median(suite.cold)).toFixed(2)}x faster fresh, ${(baseline / median(suite.warm)).toFixed(2)}x again; before: ${(baseline / median(suite.tsx)).toFixed(2)}x`,
  );
  flush();

  // The figures the docs show are this run's, as printed (tests/figures.test.ts checks them).
  const page = path.join(ROOT, FIGURES_PATH);
  writeFileSync(page, withFigures(readFileSync(page, "utf8"), report.join("\n")));
  process.stdout.write(`wrote the figures to ${FIGURES_PATH}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
