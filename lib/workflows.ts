/**
 * The app repository's deploy workflows, generated from the stage so that every variable and
 * secret they read is exactly one the GitHub side writes (names from `variables.ts`).
 *
 * @see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax
 */
import { stringify } from "yaml";
import { ACTIONS, BINFMT_IMAGE, uses, withVersionComments } from "./actions";
import { SUMMARY_STEP_IDS, summarySteps } from "./deploySummary";
import {
  FALLBACK_SECRETS,
  ROLE_ARN_SECRET,
  RoleArnOutput,
  STAGE_VARIABLES,
  ServiceVariableNames,
  VariableLayout,
  clusterField,
  roleArnExpression,
  serviceField,
} from "./variables";

/** Where the credential check lives in the app repository. */
export const CREDENTIAL_CHECK_PATH = ".github/scripts/check-aws-credentials.sh";

/** Path of a service's deploy workflow for one stack in the app repository. */
export function deployWorkflowPath(stack: string, service: string): string {
  return `.github/workflows/deploy-${service}-${stack}.yml`;
}

/** What a deploy workflow needs to know about its stage and service. */
export interface DeployWorkflowInput {
  readonly stack: string;
  /** The GitHub environment the job runs in; the deploy role trusts exactly it. */
  readonly environment: string;
  readonly service: string;
  readonly architecture: "ARM64" | "X86_64";
  readonly build: { readonly context: string; readonly dockerfile?: string };
  /** The branches and tags that deploy this service (`ServiceStage.deployOn`). */
  readonly deployBranches: readonly string[];
  readonly deployTags: readonly string[];
  /**
   * What starts a deploy: a push of a deploy branch or tag, and/or a published release whose
   * tag is one of `deployTags`.
   */
  readonly events: readonly ("push" | "release")[];
  /** Also push a moving `<stack>` tag (only where tags are mutable). */
  readonly movingTag: boolean;
  /**
   * The repository is someone else's, maybe another stage's too: images are tagged
   * `<stack>-<sha>`, so no stage deploys an image another stage's pipeline built.
   */
  readonly sharedRepository?: boolean;
  /** Offer the break-glass access keys when `AWS_ROLE_ARN` is absent. */
  readonly fallback: boolean;
  /** How the stage writes its services' names into the environment's variables. */
  readonly layout: VariableLayout;
  /** The service's own variable names (`services.<key>.variableNames`). */
  readonly variableNames?: ServiceVariableNames;
  /** Where the environment holds the deploy role's ARN (`deployRole.githubOutput`). */
  readonly roleArn: RoleArnOutput;
  /**
   * The service runs on the stage's cluster: the workflow deploys the new revision and waits for
   * it. Otherwise it only registers the revision (there is no service to update).
   */
  readonly placed: boolean;
  /** The service is behind a load balancer's target group (only meaningful when placed). */
  readonly loadBalanced: boolean;
  /** `https://<console host>` of the stage's partition, for the job summary's links. */
  readonly consoleOrigin?: string;
  /**
   * The service is an image only (`kind: image`): the workflow builds and pushes it, and there
   * is no task definition to render, register or deploy.
   * @default false
   */
  readonly imageOnly?: boolean;
}

const expr = (e: string) => `\${{ ${e} }}`;

/**
 * The tag patterns that deploy a service, when config does not list its own: those named after
 * it (`backend-v*`). Where no tag is named after any service, the stage deploys everything on
 * shared tags (`v*`). Never another service's: once tags name services, `worker` without one of
 * its own does not deploy on `backend-v1` (nor on `package-v*`, which may be anyone's).
 */
export function serviceTags(
  service: string,
  services: readonly string[],
  tags: readonly string[],
): string[] {
  // A tag is the service's whose name is its longest prefix: api-gateway-v1 is api-gateway's.
  const ownerOf = (t: string) =>
    services.filter((s) => t.startsWith(`${s}-`)).sort((a, b) => b.length - a.length)[0];
  const named = (t: string, s: string) => ownerOf(t) === s;
  const own = tags.filter((t) => named(t, service));
  if (own.length > 0) return own;
  return tags.some((t) => services.some((s) => named(t, s))) ? [] : [...tags];
}

/** The refs that deploy a service: config's own for it, else the defaults of {@link serviceTags}. */
export function serviceDeployRefs(
  service: string,
  own: { readonly tags?: readonly string[]; readonly branches?: readonly string[] } | undefined,
  services: readonly string[],
  stage: { readonly deployTags: readonly string[]; readonly deployBranches: readonly string[] },
): { branches: readonly string[]; tags: readonly string[] } {
  return {
    branches: own?.branches ?? stage.deployBranches,
    tags: own?.tags ?? serviceTags(service, services, stage.deployTags),
  };
}

/**
 * A job condition that lets a release through only when its tag is one of `tags` (each a literal
 * or `<prefix>*`, which config checks); other events pass.
 */
export function releaseCondition(tags: readonly string[]): string {
  const matches = tags.map((t) =>
    t.endsWith("*")
      ? `startsWith(github.event.release.tag_name, '${t.slice(0, -1)}')`
      : `github.event.release.tag_name == '${t}'`,
  );
  return `github.event_name != 'release' || ${matches.join(" || ") || "false"}`;
}

/** A tag pattern a release's tag can be matched against in a job condition. */
export const RELEASE_TAG_PATTERN = /^[^*?[\]!+']*\*?$/;

/** The environment variable the select step gets: whether the break-glass key is there, never the key. */
export const BREAK_GLASS_PRESENT = "BREAK_GLASS_KEY_PRESENT";

/**
 * The workflow as data: check the credentials, build, push, render, register, and (for a service
 * on the cluster) deploy, wait, and fail on a rollback.
 */
export function deployWorkflow(w: DeployWorkflowInput): Record<string, unknown> {
  const read = (field: Parameters<typeof serviceField>[2]) =>
    expr(serviceField(w.layout, w.service, field, w.variableNames));
  const cluster = expr(clusterField(w.variableNames));
  const roleArn = expr(roleArnExpression(w.roleArn));
  const image = `${expr("steps.ecr.outputs.registry")}/${read("repository")}`;
  const tags = w.deployTags;
  const shaTag = w.sharedRepository ? `${w.stack}-${expr("github.sha")}` : expr("github.sha");
  const movingTag = w.movingTag && !w.sharedRepository;
  // Steps see only what they need. In particular no step but the break-glass login gets the
  // access key: a step's env wins over the role credentials the login exported, and STS would
  // see the break-glass key id with the role's secret.
  // The credential check reads the ARN as AWS_ROLE_ARN, wherever the environment keeps it.
  const identityEnv = {
    [ROLE_ARN_SECRET]: roleArn,
    ROLE_ARN_SOURCE: `${w.roleArn.kind} ${w.roleArn.name}`,
    DEPLOY_ENVIRONMENT: w.environment,
  };
  const steps: Record<string, unknown>[] = [
    { name: "Check out", uses: uses(ACTIONS.checkout), with: { "persist-credentials": false } },
    {
      name: "Check the deploy credentials",
      id: "creds",
      run: `bash ${CREDENTIAL_CHECK_PATH} select`,
      env: {
        ...identityEnv,
        ...(w.fallback
          ? { [BREAK_GLASS_PRESENT]: expr(`secrets.${FALLBACK_SECRETS.accessKeyId} != ''`) }
          : {}),
      },
    },
    {
      name: "Assume the deploy role (OIDC)",
      if: "steps.creds.outputs.mode == 'oidc'",
      uses: uses(ACTIONS.awsCredentials),
      with: {
        "role-to-assume": roleArn,
        "aws-region": expr(`vars.${STAGE_VARIABLES.region}`),
        "role-session-name": `deploy-${w.service}-${expr("github.run_id")}`,
      },
    },
    ...(w.fallback
      ? [
          {
            name: "Use the break-glass access keys",
            if: "steps.creds.outputs.mode == 'fallback'",
            uses: uses(ACTIONS.awsCredentials),
            with: {
              "aws-access-key-id": expr(`secrets.${FALLBACK_SECRETS.accessKeyId}`),
              "aws-secret-access-key": expr(`secrets.${FALLBACK_SECRETS.secretAccessKey}`),
              "aws-region": expr(`vars.${STAGE_VARIABLES.region}`),
            },
          },
        ]
      : []),
    {
      name: "Verify the AWS identity",
      run: `bash ${CREDENTIAL_CHECK_PATH} verify`,
      env: { ...identityEnv, CREDENTIALS_MODE: expr("steps.creds.outputs.mode") },
    },
    { name: "Log in to ECR", id: "ecr", uses: uses(ACTIONS.ecrLogin) },
    {
      name: "Skip the build if this commit's image exists",
      id: SUMMARY_STEP_IDS.existing,
      run: [
        `if digest=$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids "imageTag=${w.sharedRepository ? `${w.stack}-` : ""}$GITHUB_SHA" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null); then`,
        '  echo "exists=true" >> "$GITHUB_OUTPUT"',
        '  echo "digest=$digest" >> "$GITHUB_OUTPUT"',
        "else",
        '  echo "exists=false" >> "$GITHUB_OUTPUT"',
        "fi",
      ].join("\n"),
    },
    ...(w.architecture === "ARM64"
      ? [{ name: "Set up QEMU", uses: uses(ACTIONS.qemu), with: { image: BINFMT_IMAGE } }]
      : []),
    { name: "Set up Docker Buildx", uses: uses(ACTIONS.buildx) },
    {
      name: "Build and push the image",
      id: SUMMARY_STEP_IDS.build,
      if: `steps.${SUMMARY_STEP_IDS.existing}.outputs.exists != 'true'`,
      uses: uses(ACTIONS.buildPush),
      with: {
        context: w.build.context,
        ...(w.build.dockerfile ? { file: w.build.dockerfile } : {}),
        platforms: w.architecture === "ARM64" ? "linux/arm64" : "linux/amd64",
        push: true,
        tags: [`${image}:${shaTag}`, ...(movingTag ? [`${image}:${w.stack}`] : [])].join("\n"),
      },
    },
    ...(w.imageOnly
      ? imageSteps(w.stack, movingTag, image)
      : taskSteps(read, `${image}:${shaTag}`, w.placed, cluster)),
    ...summarySteps({
      stack: w.stack,
      service: w.service,
      run: w.imageOnly ? "image" : w.placed ? "service" : "task",
      loadBalanced: w.loadBalanced,
      consoleOrigin: w.consoleOrigin,
      image: `${image}:${shaTag}`,
      movingTag: movingTag ? `${image}:${w.stack}` : undefined,
      logGroup: w.imageOnly ? undefined : read("logGroup"),
    }),
  ];
  return {
    name: `Deploy ${w.service} to ${w.stack}`,
    on: {
      ...(w.events.includes("push")
        ? {
            push: {
              ...(w.deployBranches.length ? { branches: [...w.deployBranches] } : {}),
              ...(tags.length ? { tags } : {}),
            },
          }
        : {}),
      // `released`: a published release, never a pre-release.
      ...(w.events.includes("release") ? { release: { types: ["released"] } } : {}),
      workflow_dispatch: {},
    },
    permissions: { contents: "read" },
    concurrency: { group: `deploy-${w.service}-${w.stack}`, "cancel-in-progress": false },
    jobs: {
      deploy: {
        name: `Deploy ${w.service}`,
        // A release event has no tag filter of its own: only this service's tags deploy it.
        ...(w.events.includes("release") ? { if: releaseCondition(tags) } : {}),
        "runs-on": "ubuntu-latest",
        environment: w.environment,
        // id-token: write lets this one job ask GitHub for the OIDC token.
        permissions: { contents: "read", "id-token": "write" },
        "timeout-minutes": 40,
        env: {
          [STAGE_VARIABLES.region]: expr(`vars.${STAGE_VARIABLES.region}`),
          ECR_REPOSITORY: read("repository"),
          ...(w.imageOnly ? {} : { ECS_TASK_DEFINITION: read("taskDefinition") }),
          // Only a service on the stage's cluster has these variables.
          ...(w.placed ? { ECS_CLUSTER: cluster, ECS_SERVICE: read("service") } : {}),
        },
        steps,
      },
    },
  };
}

/**
 * After the push, for an image only: when the commit's image was there already (a re-run, a
 * rollback to an older release), the build was skipped, so point the moving tag at it here:
 * the moving tag is what the image's consumers run.
 */
function imageSteps(stack: string, movingTag: boolean, image: string): Record<string, unknown>[] {
  if (!movingTag) return [];
  return [
    {
      name: `Move :${stack} to this commit's image`,
      if: "steps.existing.outputs.exists == 'true'",
      // buildx copies the pushed index (with its attestations) or, with --prefer-index=false, a
      // single manifest as it is, so :<stack> names exactly what :<sha> names; ECR's put-image
      // would need the media types spelled out.
      env: { IMAGE: image },
      run: `docker buildx imagetools create --prefer-index=false --tag "$IMAGE:${stack}" "$IMAGE:$GITHUB_SHA"`,
    },
  ];
}

/**
 * After the push, for a service that runs on ECS: put the new image in the family's latest
 * revision, then register it and (on the stage's cluster) deploy it.
 */
function taskSteps(
  read: (field: "containerName" | "service") => string,
  image: string,
  placed: boolean,
  cluster: string,
): Record<string, unknown>[] {
  return [
    {
      name: "Fetch the family's latest task definition",
      run: 'aws ecs describe-task-definition --task-definition "$ECS_TASK_DEFINITION" --query taskDefinition > task-definition.json',
    },
    {
      name: "Put the new image in the task definition",
      id: "render",
      uses: uses(ACTIONS.renderTaskDefinition),
      with: {
        "task-definition": "task-definition.json",
        "container-name": read("containerName"),
        image,
      },
    },
    ...(placed ? deploySteps(read, cluster) : registerSteps()),
  ];
}

/** Register the new revision and roll it out to the service, then fail if ECS rolled it back. */
function deploySteps(
  read: (field: "service") => string,
  cluster: string,
): Record<string, unknown>[] {
  return [
    {
      name: "Register it and deploy, waiting for the service to be stable",
      id: SUMMARY_STEP_IDS.deploy,
      uses: uses(ACTIONS.deployTaskDefinition),
      with: {
        "task-definition": expr("steps.render.outputs.task-definition"),
        service: read("service"),
        cluster,
        "wait-for-service-stability": true,
        "wait-for-minutes": 15,
      },
    },
    {
      name: "Fail if ECS rolled the deployment back",
      id: SUMMARY_STEP_IDS.rollback,
      env: { DEPLOYED: expr("steps.deploy.outputs.task-definition-arn") },
      run: [
        'running=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --query "services[0].taskDefinition" --output text)',
        'rollout=$(aws ecs describe-services --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE" --query "services[0].deployments[?status==\'PRIMARY\'].rolloutState | [0]" --output text)',
        'if [ "$running" != "$DEPLOYED" ] || [ "$rollout" != "COMPLETED" ]; then',
        "  echo \"::error title=Deployment rolled back::ECS service $ECS_SERVICE runs $running (rollout $rollout), not $DEPLOYED: the deployment circuit breaker rolled back. The job summary lists the service's events and the stopped tasks' reasons, and links the logs.\"",
        "  exit 1",
        "fi",
        'echo "Deployed $DEPLOYED to $ECS_SERVICE."',
      ].join("\n"),
    },
  ];
}

/** Register the new revision only: the stage runs no ECS service for it. */
function registerSteps(): Record<string, unknown>[] {
  return [
    {
      name: "Register the new task definition revision",
      id: SUMMARY_STEP_IDS.deploy,
      uses: uses(ACTIONS.deployTaskDefinition),
      with: { "task-definition": expr("steps.render.outputs.task-definition") },
    },
  ];
}

/** YAML text of a generated workflow, with a header saying where it comes from. */
export function renderWorkflow(workflow: Record<string, unknown>, source: string): string {
  return `# Generated by the delivery program from ${source}; do not edit by hand.\n# Regenerate with: npm run templates\n${withVersionComments(stringify(workflow, { lineWidth: 0 }))}`;
}
