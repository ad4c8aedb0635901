/**
 * The files the app repository needs for one stage: a deploy workflow per service and the
 * credential check they call. The same function feeds `npm run templates` and, when
 * `delivery:github.commitWorkflows` is on, the files the program commits into the app repository.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { Stage, isPlaced, runsTasks } from "../stacks/stage";
import { PROJECT_DIR } from "../stacks/stackFiles";
import { consoleOrigin } from "./arns";
import {
  CREDENTIAL_CHECK_PATH,
  deployWorkflow,
  deployWorkflowPath,
  renderWorkflow,
} from "./workflows";

/** The credential check script shipped with the product. */
export const CREDENTIAL_CHECK_SOURCE = path.join(
  PROJECT_DIR,
  "scripts",
  "check-aws-credentials.sh",
);

/** Path in the app repository → file content. */
export function appRepoFiles(stage: Stage): Record<string, string> {
  // Only for what the stage has: no services, no deploy workflows and nothing they call.
  if (stage.services.length === 0) return {};
  const roleArn = stage.names.github.deployRoleArn;
  if (!roleArn)
    throw new Error(`appRepoFiles: stage ${stage.stack} has services but no deploy role`);
  const files: Record<string, string> = {
    [CREDENTIAL_CHECK_PATH]: readFileSync(CREDENTIAL_CHECK_SOURCE, "utf8"),
  };
  for (const svc of stage.services) {
    const workflow = deployWorkflow({
      stack: stage.stack,
      environment: stage.github.environment,
      service: svc.key,
      architecture: svc.architecture,
      build: svc.build,
      deployBranches: svc.deployOn.branches,
      deployTags: svc.deployOn.tags,
      events: stage.github.deployEvents,
      movingTag: stage.ecr.imageTagMutability === "MUTABLE" || stage.ecr.stageTag,
      sharedRepository: svc.existingRepository,
      fallback: stage.fallback.enabled,
      layout: stage.names.github.layout,
      variableNames: svc.variableNames,
      roleArn,
      placed: isPlaced(stage.ecs, svc),
      loadBalanced: runsTasks(svc) && svc.targetGroupArn !== undefined,
      consoleOrigin: consoleOrigin(stage.region),
      imageOnly: !runsTasks(svc),
    });
    files[deployWorkflowPath(stage.stack, svc.key)] = renderWorkflow(
      workflow,
      `Pulumi.${stage.stack}.yaml`,
    );
  }
  return files;
}
