/**
 * `npm run templates [-- --stack NAME] [--config FILE] [--out DIR]`
 *
 * Writes the app repository's deploy workflows for each shipped stack (or the one named) under
 * `templates/<stack>/`, laid out as they go into the app repository. They call the credential
 * check, which goes into the app repository as `.github/scripts/check-aws-credentials.sh`
 * (a copy of `scripts/check-aws-credentials.sh`).
 * `--check` exits 1 when the files on disk differ from what the config produces.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { appRepoFiles } from "../lib/appRepoFiles";
import { CREDENTIAL_CHECK_PATH } from "../lib/workflows";
import { ConfigError, loadStage } from "../stacks/load";
import { PROJECT_DIR as ROOT, readStack, stackFilePath } from "../stacks/stackFiles";

/** The files for one stack, keyed by their path under the output directory. */
export function templateFiles(stack: string, configFile: string): Record<string, string> {
  const stage = loadStage(readStack(stack, configFile));
  return Object.fromEntries(
    Object.entries(appRepoFiles(stage))
      // The credential check is the same file for every stack: it stays in scripts/ only.
      .filter(([file]) => file !== CREDENTIAL_CHECK_PATH)
      .map(([file, text]) => [path.join(stack, file), text]),
  );
}

function main(): void {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", multiple: true },
      config: { type: "string" },
      out: { type: "string", default: path.join(ROOT, "templates") },
      check: { type: "boolean", default: false },
    },
  });
  const stacks = values.stack ?? ["staging", "prod"];
  const stale: string[] = [];
  for (const stack of stacks) {
    const config = stackFilePath(stack, values.config);
    let files: Record<string, string>;
    try {
      files = templateFiles(stack, config);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
    for (const [file, text] of Object.entries(files)) {
      const target = path.join(values.out, file);
      if (values.check) {
        if (!existsSync(target) || readFileSync(target, "utf8") !== text)
          stale.push(path.relative(ROOT, target));
        continue;
      }
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text, { mode: file.endsWith(".sh") ? 0o755 : 0o644 });
      process.stdout.write(`wrote ${path.relative(ROOT, target)}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(
      `out of date (run npm run templates):\n${stale.map((s) => `  ${s}`).join("\n")}\n`,
    );
    process.exit(1);
  }
}

if (require.main === module) main();
