/**
 * `npm run bench`: measures what the program costs in time and prints a table.
 *
 * - offline plan wall time (a fresh process, as a user runs it) for each shipped stack and for
 *   generated configs of 1, 10, 50 and 200 services (two secrets each), with resources declared
 *   and time per resource, so growth is visible;
 * - the test suite with the project's runner settings (`npm test`: one TypeScript 7 type-check
 *   running beside transpile-only mocha) next to plain `mocha -r ts-node/register`, which
 *   type-checks every file as it loads with TypeScript 5; and, to show where the difference comes
 *   from, the same runner with TypeScript 5's tsc;
 * - start-up: time from process start to the first resource registration.
 *
 * Nothing here runs in CI; it is a measurement, not a test.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { generatedStackFile } from "../scripts/generated";

/** What a stage of 200 services needs: IAM quotas raised as far as IAM lets them be. */
const RAISED_QUOTAS = { "delivery:quotas": { managedPoliciesPerRole: 25 } };

const ROOT = path.resolve(__dirname, "..");
const NODE = process.execPath;
const TS = ["-r", "tsx/cjs"];
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

/** Plans a stack file in a fresh process; returns wall times and the number of resources. */
function planWall(
  stack: string,
  configFile: string | undefined,
  runs: number,
): { ms: number; resources: number } {
  const json = path.join(work, `${stack}-${runs}.json`);
  const args = [
    ...TS,
    "scripts/plan.ts",
    "--stack",
    stack,
    "--json",
    json,
    ...(configFile ? ["--config", configFile] : []),
  ];
  const times = Array.from({ length: runs }, () => timed(NODE, args).ms);
  const resources = (JSON.parse(readFileSync(json, "utf8")) as { resources: unknown[] }).resources
    .length;
  return { ms: median(times), resources };
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
    .join("  ");
}

function main(): void {
  const out: string[] = [
    `delivery benchmark, ${new Date().toISOString()}, node ${process.version}`,
    "",
  ];

  out.push("Offline plan (fresh process, median of runs)");
  const widths = [28, 10, 10, 14];
  out.push(row(["config", "resources", "wall ms", "ms/resource"], widths));
  for (const stack of ["staging", "prod"]) {
    const r = planWall(stack, undefined, 3);
    out.push(
      row(
        [`Pulumi.${stack}.yaml`, r.resources, r.ms.toFixed(0), (r.ms / r.resources).toFixed(1)],
        widths,
      ),
    );
  }
  for (const n of [1, 10, 50, 200]) {
    const file = path.join(work, `services-${n}.yaml`);
    writeFileSync(file, generatedStackFile(n, n > 100 ? RAISED_QUOTAS : {}));
    const r = planWall("staging", file, n >= 200 ? 1 : 3);
    out.push(
      row(
        [
          `${n} services x 2 secrets`,
          r.resources,
          r.ms.toFixed(0),
          (r.ms / r.resources).toFixed(1),
        ],
        widths,
      ),
    );
  }
  out.push("");

  const startup = JSON.parse(timed(NODE, [...TS, "bench/startup.ts"]).stdout) as {
    firstRegistrationMs: number;
    totalMs: number;
  };
  out.push(
    `Start-up: first resource registered ${startup.firstRegistrationMs} ms after process start (whole staging plan ${startup.totalMs} ms)`,
    "",
  );

  const mocha = path.join(ROOT, "node_modules", ".bin", "mocha");
  const baselineArgs = [
    "--no-config",
    "--require",
    "ts-node/register",
    "--require",
    "tests/hooks.ts",
    "--extension",
    "ts",
    "--timeout",
    "120000",
    "--reporter",
    "dot",
    "tests/**/*.test.ts",
  ];
  // Rounds interleave the variants, so a burst of load on this shared machine hits them alike;
  // the table shows each variant's median and every round's time.
  const rounds = 3;
  const suite = {
    cold: [] as number[],
    warm: [] as number[],
    ts5: [] as number[],
    base: [] as number[],
  };
  for (let round = 0; round < rounds; round++) {
    // Cold: no incremental type-check cache (as in CI's fresh clone); warm: a developer's next run.
    rmSync(path.join(ROOT, "node_modules", ".cache", "delivery"), { recursive: true, force: true });
    suite.cold.push(timed("bash", ["scripts/test.sh"]).ms);
    suite.warm.push(timed("bash", ["scripts/test.sh"]).ms);
    // scripts/test.sh with TypeScript 5's tsc (no incremental cache) in place of TypeScript 7's.
    suite.ts5.push(
      timed("bash", [
        "-c",
        "node node_modules/typescript/bin/tsc --noEmit -p . --incremental false & t=$!; node_modules/.bin/mocha; m=$?; wait $t && exit $m",
      ]).ms,
    );
    suite.base.push(timed(mocha, baselineArgs, { TS_NODE_TRANSPILE_ONLY: "false" }).ms);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const line = (label: string, times: number[]) =>
    `  ${label.padEnd(54)}${seconds(median(times)).padStart(6)} s   (${times.map(seconds).join(", ")})`;
  const baseline = median(suite.base);
  out.push(
    `Test suite (same tests; median of ${rounds} interleaved rounds, each round in brackets)`,
  );
  out.push(line("npm test, cold type-check cache (CI)", suite.cold));
  out.push(line("npm test, warm type-check cache", suite.warm));
  out.push(line("mocha -r ts-node/register (type-checks as it loads)", suite.base));
  out.push(
    `  ratio: ${(baseline / median(suite.cold)).toFixed(2)}x faster cold, ${(baseline / median(suite.warm)).toFixed(2)}x warm`,
  );
  out.push(
    line("for comparison, npm test's runner with TypeScript 5's tsc", suite.ts5) +
      ` ${(baseline / median(suite.ts5)).toFixed(2)}x`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

main();
