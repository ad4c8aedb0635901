/** Prod images: immutable tags, scanned on push, never force-deleted with their repository. */
import { ecrRegistry } from "../../lib/arns";
import { STAGE_DEFAULTS } from "../defaults";
import { PROJECT } from "../project";
import { runsTasks } from "../stage";
import { Rule, StageRule, rule } from "./rule";

/** The longest tag the pipeline pushes: the commit's full SHA. */
const PIPELINE_TAG_LENGTH = 40;
/** ECS ContainerDefinition image: at most 255 characters for `repository-url/image:tag`. */
const IMAGE_REFERENCE_MAX = 255;

export const imageRules: readonly Rule[] = [
  rule(["ecr"], (c, ctx) => {
    const problems: string[] = [];
    if (ctx.stage === "prod" && c.ecr.imageTagMutability === "MUTABLE") {
      problems.push(
        `${PROJECT}:ecr.imageTagMutability: prod image tags must be immutable, so a deployed tag always means the same image. Fix: remove it or set IMMUTABLE; for consumers that follow a moving :${ctx.stack} tag, add stageTag: true (only that tag moves)`,
      );
    }
    if (c.ecr.stageTag && c.ecr.imageTagMutability === "MUTABLE") {
      problems.push(
        `${PROJECT}:ecr.stageTag: with MUTABLE tags the workflows move :${ctx.stack} anyway. Fix: remove stageTag, or set imageTagMutability: IMMUTABLE so that only :${ctx.stack} moves`,
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

export const imageStageRules: readonly StageRule[] = [
  (stage) =>
    stage.services.flatMap((svc) => {
      // Every account id has 12 digits, so the length is known before the account is.
      const repository = `${ecrRegistry("000000000000", stage.region)}/${svc.repositoryName}`;
      // An image is pushed as :<sha> and :<stack> only; a task may also run a config tag.
      const configTag = runsTasks(svc) ? svc.imageTag : "";
      const tag =
        runsTasks(svc) && stage.ecs.imageOwner === "stack"
          ? configTag
          : "x".repeat(Math.max(PIPELINE_TAG_LENGTH, configTag.length, stage.stack.length));
      const length = repository.length + 1 + tag.length;
      return length > IMAGE_REFERENCE_MAX
        ? [
            `${PROJECT}:services.${svc.key}.repositoryName: the image reference ${repository}:<tag> would be ${length} characters; ECS takes at most ${IMAGE_REFERENCE_MAX}. Fix: use a shorter repository name`,
          ]
        : [];
    }),
];
