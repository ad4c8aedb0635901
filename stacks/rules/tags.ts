/** Tags AWS accepts on every resource, next to the ones the program sets itself. */
import { PROGRAM_TAG_KEYS } from "../../lib/naming";
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const tagRules: readonly Rule[] = [
  rule(["tags"], (c) =>
    PROGRAM_TAG_KEYS.filter((tag) => Object.hasOwn(c.tags, tag)).map(
      (tag) => `${PROJECT}:tags.${tag}: set by the program on every resource. Fix: remove it`,
    ),
  ),
];
