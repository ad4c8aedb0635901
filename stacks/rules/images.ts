/** Prod images: immutable tags, scanned on push, never force-deleted with their repository. */
import { STAGE_DEFAULTS } from "../defaults";
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const imageRules: readonly Rule[] = [
  rule(["ecr"], (c, ctx) => {
    const problems: string[] = [];
    if (ctx.stage === "prod" && c.ecr.imageTagMutability === "MUTABLE") {
      problems.push(
        `${PROJECT}:ecr.imageTagMutability: prod image tags must be immutable, so a deployed tag always means the same image. Fix: remove it or set IMMUTABLE`,
      );
    }
    if (ctx.stage === "prod" && !c.ecr.scanOnPush) {
      problems.push(
        `${PROJECT}:ecr.scanOnPush: prod images must be scanned on push (Security Hub ECR.1). Fix: remove it or set true`,
      );
    }
    if (!STAGE_DEFAULTS[ctx.stage].allowForceDelete && c.ecr.forceDelete) {
      problems.push(
        `${PROJECT}:ecr.forceDelete: would let a destroy delete prod's images. Fix: remove it (only staging may force-delete)`,
      );
    }
    return problems;
  }),
];
