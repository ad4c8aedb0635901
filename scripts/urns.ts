/**
 * `npm run urns`: records the URNs of both shipped stacks in `tests/urns/<stack>.txt`, which a
 * test compares with every plan. A URN that changes without an alias means an upgrade of the
 * program would replace the resource (a repository, a secret, a log group) instead of keeping it.
 */
import { writeFileSync } from "fs";
import * as path from "path";
import { DEFAULT_ACCOUNT_ID, MockCloud } from "./mocks";
import { runOffline } from "./offline";
import { PROJECT_DIR, readStack } from "../stacks/stackFiles";

/** Where the URNs of a shipped stack are recorded. */
export const urnsFile = (stack: string) => path.join(PROJECT_DIR, "tests", "urns", `${stack}.txt`);

/** The file's text: one URN a line, sorted. */
export const urnsText = (urns: readonly string[]) => `${[...urns].sort().join("\n")}\n`;

async function main(): Promise<void> {
  for (const stack of ["staging", "prod"]) {
    const input = readStack(stack);
    const cloud = new MockCloud({
      accountId: DEFAULT_ACCOUNT_ID,
      region: input.values["aws:region"] ?? "eu-west-1",
    });
    const run = await runOffline(cloud, input);
    writeFileSync(urnsFile(stack), urnsText(run.resources.map((r) => r.urn)));
    process.stdout.write(`wrote ${path.relative(process.cwd(), urnsFile(stack))}\n`);
  }
}

if (require.main === module) void main();
