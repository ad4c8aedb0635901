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

/** What the summary steps of one service's deploy job need to know. */
export interface DeploySummaryInput {
  readonly stack: string;
  readonly service: string;
  /**
   * The service runs on the stage's cluster (the job deploys and waits); otherwise the job only
   * registers a task definition revision.
   */
  readonly placed: boolean;
  /** The ECS service sits behind a load balancer's target group. */
  readonly loadBalanced: boolean;
  /** `https://<console host>` of the stage's partition; no links where there is none. */
  readonly consoleOrigin?: string;
  /** Expressions for the pushed image reference and the service's log group variable. */
  readonly image: string;
  readonly logGroup: string;
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
  | "register-failure";

/** A step's script: the pieces in order, without their shellcheck headers. */
function script(pieces: readonly Piece[]): string {
  return pieces
    .map((p) =>
      readFileSync(path.join(__dirname, "deploy-summary", `${p}.sh`), "utf8")
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
} as const satisfies Record<string, readonly Piece[]>;

/**
 * The summary steps that close a deploy job: one on success, one when the deploy (or, for a
 * service, the rollback check) failed. Earlier failures (build, credentials) have their own logs.
 */
export function summarySteps(s: DeploySummaryInput): Record<string, unknown>[] {
  const env = {
    DEPLOY_SERVICE: s.service,
    DEPLOY_STACK: s.stack,
    ...(s.placed ? { LOAD_BALANCED: s.loadBalanced } : {}),
    IMAGE: s.image,
    BUILT_DIGEST: output("build", "digest"),
    EXISTING_DIGEST: output("existing", "digest"),
    TASK_DEFINITION_ARN: output("deploy", "task-definition-arn"),
    LOG_GROUP: s.logGroup,
    ...(s.consoleOrigin ? { AWS_CONSOLE: s.consoleOrigin } : {}),
  };
  const failed = s.placed
    ? `failure() && (steps.${SUMMARY_STEP_IDS.deploy}.outcome == 'failure' || steps.${SUMMARY_STEP_IDS.rollback}.outcome == 'failure')`
    : `failure() && steps.${SUMMARY_STEP_IDS.deploy}.outcome == 'failure'`;
  return [
    {
      name: s.placed ? "Summarize the deployment" : "Summarize the registration",
      env: { ...env },
      run: script(s.placed ? SCRIPTS.serviceSuccess : SCRIPTS.registerSuccess),
    },
    {
      name: s.placed ? "Summarize the failed deployment" : "Summarize the failed registration",
      if: failed,
      env: { ...env },
      run: script(s.placed ? SCRIPTS.serviceFailure : SCRIPTS.registerFailure),
    },
  ];
}
