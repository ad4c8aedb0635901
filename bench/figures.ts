/**
 * The benchmark's figures in `docs/performance.md`: written by `npm run bench`, never by hand. The
 * block between the markers is the bench's report as it printed it, with the digest of its text
 * in the opening marker, so a test (tests/figures.test.ts) can tell a figure edited by hand, or a
 * block some other tool wrote, from the bench's own.
 */
import { createHash } from "crypto";

/** Where the figures are, relative to the project directory. */
export const FIGURES_PATH = "docs/performance.md";

const BEGIN = "<!-- figures written by npm run bench; sha256=";
const END = "<!-- end of the figures written by npm run bench -->";

/** What every report of the bench measures, by the heading it prints first. */
export const REPORT_SECTIONS = [
  "Floors",
  "Program start as `pulumi preview`/`up` run it",
  "Offline plan",
  "Start-up",
  "Test suite",
] as const;

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** The block for one report: the markers around it in a text code block. */
export function figuresBlock(report: string): string {
  const text = report.trimEnd();
  return `${BEGIN}${digest(text)} -->\n\`\`\`text\n${text}\n\`\`\`\n${END}`;
}

/** The page with its figures block replaced by this report's; the page must have one. */
export function withFigures(page: string, report: string): string {
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${FIGURES_PATH} has no figures block to replace (${BEGIN}... ${END})`);
  }
  return `${page.slice(0, start)}${figuresBlock(report)}${page.slice(end + END.length)}`;
}

/** What is wrong with the page's figures: missing, edited since the bench wrote them, or partial. */
export function figuresProblems(page: string): string[] {
  const match = new RegExp(
    `${escape(BEGIN)}([0-9a-f]{64}) -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\`\\n${escape(END)}`,
  ).exec(page);
  if (!match) return [`${FIGURES_PATH}: no figures block. Fix: npm run bench`];
  const [, recorded, text] = match;
  const problems: string[] = [];
  if (digest(text) !== recorded) {
    problems.push(
      `${FIGURES_PATH}: the figures differ from what npm run bench wrote (edited by hand?). Fix: npm run bench`,
    );
  }
  for (const section of REPORT_SECTIONS) {
    if (!text.split("\n").some((line) => line.startsWith(section))) {
      problems.push(
        `${FIGURES_PATH}: the figures have no "${section}" section. Fix: npm run bench (all of it)`,
      );
    }
  }
  return problems;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
