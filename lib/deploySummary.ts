/**
 * The job summary of a generated deploy workflow (`$GITHUB_STEP_SUMMARY`): what was deployed and
 * where to look on success, why it failed on a failed or rolled-back deploy. It reads only what
 * the job already has (earlier steps' outputs, the stage's variables) and calls only the reads the
 * deploy role is granted for it (`lib/grants.ts`, `ecsDeploy`); it never prints a secret (the
 * steps get none, and the task definition's environment is never shown).
 *
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary
 */
import { readFileSync } from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../stacks/stackFiles";
import type { ServiceRun } from "./variables";

/** What the summary steps of one service's deploy job need to know. */
export interface DeploySummaryInput {
  readonly stack: string;
  readonly service: string;
  /**
   * What the job does: deploys to the service on the stage's cluster and waits (`service`),
   * registers a task definition revision only (`task`), or pushes an image for something else
   * to run (`image`).
   */
  readonly run: ServiceRun;
  /** The ECS service sits behind a load balancer's target group. */
  readonly loadBalanced: boolean;
  /** `https://<console host>` of the stage's partition; no links where there is none. */
  readonly consoleOrigin?: string;
  /** Expressions for the pushed image reference and the service's log group variable. */
  readonly image: string;
  /** The moving `<stack>` tag the job pushed too, where tags are mutable. */
  readonly movingTag?: string;
  /** None for an image: it has no log group. */
  readonly logGroup?: string;
}

/** Step ids the summaries read outputs of (the workflow gives its steps these ids). */
export const SUMMARY_STEP_IDS = {
  existing: "existing",
  build: "build",
  deploy: "deploy",
  rollback: "rollback",
} as const;

const expr = (e: string) => `\${{ ${e} }}`;
const output = (step: keyof typeof SUMMARY_STEP_IDS, name: string) =>
  expr(`steps.${SUMMARY_STEP_IDS[step]}.outputs.${name}`);

/** The shell pieces under `lib/deploy-summary/`, each checked on its own with shellcheck. */
type Piece =
  | "digest"
  | "links"
  | "service-link"
  | "block"
  | "service-success"
  | "service-failure"
  | "register-success"
  | "register-failure"
  | "image-success";

/** A step's script: the pieces in order, without their shellcheck headers. */
function script(pieces: readonly Piece[]): string {
  return pieces
    .map((p) =>
      readFileSync(path.join(PROJECT_DIR, "lib", "deploy-summary", `${p}.sh`), "utf8")
        .split("\n")
        .filter((line) => !line.startsWith("# shellcheck "))
        .join("\n")
        .trimEnd(),
    )
    .join("\n");
}

/** Each summary's script: the helpers it uses, then its own part. */
const SCRIPTS = {
  serviceSuccess: ["digest", "links", "service-link", "service-success"],
  serviceFailure: ["digest", "links", "service-link", "block", "service-failure"],
  registerSuccess: ["digest", "links", "register-success"],
  registerFailure: ["digest", "register-failure"],
  imageSuccess: ["digest", "image-success"],
} as const satisfies Record<string, readonly Piece[]>;

/**
 * The summary steps that close a deploy job: one on success, one when the deploy (or, for a
 * service, the rollback check) failed. Earlier failures (build, credentials) have their own logs.
 */
export function summarySteps(s: DeploySummaryInput): Record<string, unknown>[] {
  const placed = s.run === "service";
  const env = {
    DEPLOY_SERVICE: s.service,
    DEPLOY_STACK: s.stack,
    ...(placed ? { LOAD_BALANCED: s.loadBalanced } : {}),
    IMAGE: s.image,
    ...(s.movingTag ? { MOVING_TAG: s.movingTag } : {}),
    BUILT_DIGEST: output("build", "digest"),
    EXISTING_DIGEST: output("existing", "digest"),
    ...(s.run === "image" ? {} : { TASK_DEFINITION_ARN: output("deploy", "task-definition-arn") }),
    ...(s.logGroup ? { LOG_GROUP: s.logGroup } : {}),
    ...(s.consoleOrigin && s.run !== "image" ? { AWS_CONSOLE: s.consoleOrigin } : {}),
  };
  // An image's job ends with the push: a failed push has its own log.
  if (s.run === "image") {
    return [{ name: "Summarize the push", env, run: script(SCRIPTS.imageSuccess) }];
  }
  const failed = placed
    ? `failure() && (steps.${SUMMARY_STEP_IDS.deploy}.outcome == 'failure' || steps.${SUMMARY_STEP_IDS.rollback}.outcome == 'failure')`
    : `failure() && steps.${SUMMARY_STEP_IDS.deploy}.outcome == 'failure'`;
  // Each step gets its own copy of env: one object in two places would be written as a YAML
  // anchor and an alias, and each step's env should read on its own.
  return [
    {
      name: placed ? "Summarize the deployment" : "Summarize the registration",
      env: { ...env },
      run: script(placed ? SCRIPTS.serviceSuccess : SCRIPTS.registerSuccess),
    },
    {
      name: placed ? "Summarize the failed deployment" : "Summarize the failed registration",
      if: failed,
      env: { ...env },
      run: script(placed ? SCRIPTS.serviceFailure : SCRIPTS.registerFailure),
    },
  ];
}
