/**
 * The performance figures in the docs are the benchmark's own: written by `npm run bench`, with
 * every section it measures, and not edited since.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { FIGURES_PATH, figuresBlock, figuresProblems, withFigures } from "../bench/figures";
import { PROJECT_DIR } from "../stacks/stackFiles";

const page = () => readFileSync(path.join(PROJECT_DIR, FIGURES_PATH), "utf8");

/** A report with every section the bench prints, as it prints them. */
const REPORT = [
  "delivery benchmark, 2026-12-02T02:00:00.000Z, node v20.19.0, 2 cores",
  "",
  "Floors (fresh process, median of 5 interleaved runs)",
  "  node -e 0                                                      85 ms   (85, 84, 86, 85, 90)",
  "",
  "Program start as `pulumi preview`/`up` run it (Pulumi.yaml's runtime options; process start",
  "",
  "Offline plan (`npm run plan`, fresh process, median of runs)",
  "Pulumi.staging.yaml                   62        1300            21.0",
  "",
  "Start-up: first resource registered 1100 ms after process start (whole staging plan 1250 ms)",
  "",
  "Test suite (same tests; median of 3 interleaved rounds, each round in brackets)",
].join("\n");

describe("performance figures (docs/performance.md)", () => {
  it("are what npm run bench wrote, with every section it measures", () => {
    assert.deepEqual(figuresProblems(page()), []);
  });

  it("are refused when a figure is edited by hand, a section is missing, or there are none", () => {
    const written = withFigures(page(), REPORT);
    assert.deepEqual(figuresProblems(written), []);
    const edited = written.replace("1300            21.0", "700            11.3");
    assert.match(figuresProblems(edited).join("\n"), /differ from what npm run bench wrote/);
    const partial = withFigures(page(), REPORT.replace(/^Test suite.*$/m, ""));
    assert.match(figuresProblems(partial).join("\n"), /no "Test suite" section/);
    assert.match(figuresProblems("# Performance\n").join("\n"), /no figures block/);
    assert.ok(figuresBlock(REPORT).includes(REPORT));
  });
});
