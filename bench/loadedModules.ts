/**
 * Preloaded by the benchmark (`node -r build/bench/loadedModules.js <command>`): when the process
 * exits, writes the files it loaded from `node_modules`, in load order, to the JSON file named by
 * `DELIVERY_LOADED_MODULES`. Loading exactly those, and nothing of the project, is the floor under
 * the command's start-up.
 */
import { writeFileSync } from "fs";
import * as path from "path";

const out = process.env.DELIVERY_LOADED_MODULES;
if (out) {
  process.on("exit", () => {
    const inNodeModules = Object.keys(require.cache).filter((f) =>
      f.split(path.sep).includes("node_modules"),
    );
    writeFileSync(out, JSON.stringify(inNodeModules));
  });
}
