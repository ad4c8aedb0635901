/**
 * The job summary of the generated deploy workflows, run as a runner would run the steps: bash
 * with GitHub's `-eo pipefail`, the job's and the step's env with their expressions evaluated, and
 * an `aws` on PATH that answers with recorded API responses, through the `--query` the step asks
 * for (JMESPath, the AWS CLI's own Python library), and logs every call.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { appRepoFiles } from "../lib/appRepoFiles";
import { ConfigInput, loadStage } from "../stacks/load";
import { PROJECT_DIR, readStack } from "../stacks/stackFiles";
import { shippedStack } from "./hooks";
import { withConfig } from "./support";
import { JobStep, interpolate } from "./workflowRunner";

interface Job {
  readonly env: Record<string, string>;
  readonly steps: JobStep[];
}

/** The deploy job of one service's generated workflow. */
function deployJob(input: ConfigInput, service: string): Job {
  const stage = loadStage(input);
  const file = Object.entries(appRepoFiles(stage)).find(([f]) =>
    f.endsWith(`/deploy-${service}-${stage.stack}.yml`),
  );
  assert.ok(file, `a workflow for ${service}`);
  return (parse(file[1]) as { jobs: { deploy: Job } }).jobs.deploy;
}

const step = (job: Job, name: string): JobStep => {
  const found = job.steps.find((s) => s.name === name);
  assert.ok(found, `step "${name}"`);
  return found;
};

/** What AWS answers, by `<service> <operation>`: the API's response, or an error message. */
type Responses = Record<string, unknown>;

/** What a summary step did. */
interface SummaryRun {
  readonly status: number | null;
  readonly summary: string;
  readonly log: string;
  readonly awsCalls: string[][];
}

const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

/** The variables the staging and prod environments hold (as the GitHub side writes them). */
const vars = (stack: string) => ({
  AWS_REGION: "eu-west-1",
  ECS_CLUSTER: `shop-${stack}`,
  ...Object.fromEntries(
    ["backend", "frontend"].flatMap((svc) => [
      [`ECR_REPOSITORY_${svc.toUpperCase()}`, `shop-${stack}-${svc}`],
      [`ECS_SERVICE_${svc.toUpperCase()}`, `shop-${stack}-${svc}`],
      [`ECS_TASK_DEFINITION_${svc.toUpperCase()}`, `shop-${stack}-${svc}`],
      [`ECS_LOG_GROUP_${svc.toUpperCase()}`, `/ecs/shop-${stack}-${svc}`],
    ]),
  ),
  // The image-only recipe's one repository.
  ECR_REPOSITORY_PROXY: `edge-${stack}-proxy`,
});

/** Runs one summary step after earlier steps left these outputs. */
function runSummary(
  job: Job,
  name: string,
  stack: string,
  outputs: Record<string, Record<string, string>>,
  responses: Responses,
): SummaryRun {
  const dir = mkdtempSync(path.join(tmpdir(), "summary-"));
  const calls = path.join(dir, "aws-calls");
  const answers = path.join(dir, "responses.json");
  writeFileSync(answers, JSON.stringify(responses));
  // The AWS CLI: the response of `<service> <operation>` through --query, as --output json prints it.
  writeFileSync(
    path.join(dir, "aws"),
    `#!/usr/bin/env python3
import json, sys, jmespath
args = sys.argv[1:]
with open(${JSON.stringify(calls)}, "a") as log:
    log.write(json.dumps(args) + "\\n")
answer = json.load(open(${JSON.stringify(answers)})).get(" ".join(args[:2]))
if answer is None or isinstance(answer, str):
    sys.stderr.write((answer or "no recorded response") + "\\n")
    sys.exit(254)
if "--query" in args:
    answer = jmespath.search(args[args.index("--query") + 1], answer)
print(json.dumps(answer, indent=4))
`,
  );
  chmodSync(path.join(dir, "aws"), 0o755);
  const context = { secrets: {}, vars: vars(stack), steps: outputs };
  const env = (e: Readonly<Record<string, unknown>> | undefined) =>
    Object.fromEntries(Object.entries(e ?? {}).map(([k, v]) => [k, interpolate(v, context)]));
  const summaryFile = path.join(dir, "summary.md");
  const run = spawnSync(
    "bash",
    ["--noprofile", "--norc", "-eo", "pipefail", "-c", step(job, name).run ?? ""],
    {
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH ?? ""}`,
        ...env(job.env),
        ...env(step(job, name).env),
        GITHUB_STEP_SUMMARY: summaryFile,
      },
    },
  );
  return {
    status: run.status,
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "",
    log: `${run.stdout}${run.stderr}`,
    awsCalls: existsSync(calls)
      ? readFileSync(calls, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as string[])
      : [],
  };
}

const TASK_DEFINITION = (stack: string, svc: string, revision: number) =>
  `arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-${stack}-${svc}:${revision}`;
const TASK = (stack: string, id: string) =>
  `arn:aws:ecs:eu-west-1:123456789012:task/shop-${stack}/${id}`;
const TARGET_GROUP =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-prod-backend/6d0ecf831eec9f09";

/** Outputs of the build (or the existing image) and of the deploy step. */
const deployed = (
  stack: string,
  svc: string,
  built = true,
): Record<string, Record<string, string>> => ({
  ecr: { registry: REGISTRY },
  existing: built ? { exists: "false" } : { exists: "true", digest: DIGEST },
  build: built ? { digest: DIGEST } : {},
  deploy: { "task-definition-arn": TASK_DEFINITION(stack, svc, 43) },
});

/** DescribeServices of a service the circuit breaker rolled back from revision 43 to 42. */
const rolledBack = (stack: string) => ({
  services: [
    {
      serviceName: `shop-${stack}-backend`,
      taskDefinition: TASK_DEFINITION(stack, "backend", 42),
      runningCount: 2,
      desiredCount: 2,
      loadBalancers: [
        { targetGroupArn: TARGET_GROUP, containerName: "backend", containerPort: 5000 },
      ],
      deployments: [
        {
          id: "ecs-svc/1111",
          status: "PRIMARY",
          taskDefinition: TASK_DEFINITION(stack, "backend", 42),
          runningCount: 2,
          desiredCount: 2,
          failedTasks: 0,
          rolloutState: "COMPLETED",
        },
        {
          id: "ecs-svc/2222",
          status: "ACTIVE",
          taskDefinition: TASK_DEFINITION(stack, "backend", 43),
          runningCount: 0,
          desiredCount: 0,
          failedTasks: 3,
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        },
      ],
      events: [
        {
          id: "e1",
          createdAt: "2026-11-01T10:15:00.000000+00:00",
          message: `(service shop-${stack}-backend) rolling back to deployment ecs-svc/1111.`,
        },
        {
          id: "e2",
          createdAt: "2026-11-01T10:14:00.000000+00:00",
          message: `(service shop-${stack}-backend) deployment ecs-svc/2222 deployment failed: tasks failed to start.`,
        },
      ],
    },
  ],
  failures: [],
});

const STOPPED = (stack: string) => ({
  tasks: [
    {
      taskArn: TASK(stack, "aaaa1111"),
      taskDefinitionArn: TASK_DEFINITION(stack, "backend", 43),
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      // The task's own environment is never shown, whatever it holds.
      overrides: {
        containerOverrides: [
          { name: "backend", environment: [{ name: "TOKEN", value: "do-not-print-me" }] },
        ],
      },
      containers: [{ name: "backend", exitCode: 1, lastStatus: "STOPPED" }],
    },
    {
      taskArn: TASK(stack, "bbbb2222"),
      taskDefinitionArn: TASK_DEFINITION(stack, "backend", 43),
      stopCode: "TaskFailedToStart",
      stoppedReason:
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
      containers: [{ name: "backend", reason: "CannotPullContainerError" }],
    },
  ],
  failures: [],
});

const prod = () => deployJob(shippedStack("prod"), "backend");
const staging = () => deployJob(shippedStack("staging"), "backend");

describe("deploy job summary", () => {
  it("after a deployment: the image digest, the revision, the service and log group console links, the target group", () => {
    const run = runSummary(
      prod(),
      "Summarize the deployment",
      "prod",
      deployed("prod", "backend"),
      {
        "ecs describe-services": rolledBack("prod"),
      },
    );
    assert.equal(run.status, 0, run.log);
    assert.deepEqual(run.awsCalls, [
      [
        "ecs",
        "describe-services",
        "--cluster",
        "shop-prod",
        "--services",
        "shop-prod-backend",
        "--query",
        "services[0].{running: runningCount, desired: desiredCount, targetGroups: loadBalancers[].targetGroupArn}",
        "--output",
        "json",
      ],
    ]);
    assert.equal(
      run.summary,
      [
        "## backend deployed to prod",
        "",
        "| | |",
        "| --- | --- |",
        `| Image | <code>${REGISTRY}/shop-prod-backend:${SHA}</code> |`,
        `| Digest | <code>${DIGEST}</code> |`,
        "| Task definition | <code>shop-prod-backend:43</code> |",
        "| Service | [shop-prod-backend](https://console.aws.amazon.com/ecs/v2/clusters/shop-prod/services/shop-prod-backend/health?region=eu-west-1) on cluster <code>shop-prod</code>: 2 of 2 tasks running |",
        "| Logs | [/ecs/shop-prod-backend](https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fshop-prod-backend) |",
        "| Load balancer | target group [shop-prod-backend](https://console.aws.amazon.com/ec2/home?region=eu-west-1#TargetGroup:targetGroupArn=arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-prod-backend/6d0ecf831eec9f09) (its targets' health) |",
        "",
      ].join("\n"),
    );
  });

  it("after a deployment of a service without a load balancer: says what ECS judges its tasks by; the existing image's digest when the build was skipped", () => {
    const service = rolledBack("staging");
    service.services[0].loadBalancers = [];
    const run = runSummary(
      staging(),
      "Summarize the deployment",
      "staging",
      deployed("staging", "backend", false),
      { "ecs describe-services": service },
    );
    assert.equal(run.status, 0, run.log);
    assert.match(run.summary, new RegExp(`\\| Digest \\| <code>${DIGEST}</code> \\|`));
    assert.match(
      run.summary,
      /\| Load balancer \| none: a task counts as healthy while it runs and passes its container health check \|\n$/,
    );
    assert.doesNotMatch(run.summary, /target group/);
  });

  it("after a rolled-back deployment: the deployments, the latest events, each stopped task's reason and exit codes, the log group; never the tasks' environment", () => {
    const run = runSummary(
      prod(),
      "Summarize the failed deployment",
      "prod",
      deployed("prod", "backend"),
      {
        "ecs describe-services": rolledBack("prod"),
        "ecs list-tasks": { taskArns: [TASK("prod", "aaaa1111"), TASK("prod", "bbbb2222")] },
        "ecs describe-tasks": STOPPED("prod"),
      },
    );
    assert.equal(run.status, 0, run.log);
    assert.deepEqual(
      run.awsCalls.map((c) => c.slice(0, c.indexOf("--query"))),
      [
        ["ecs", "describe-services", "--cluster", "shop-prod", "--services", "shop-prod-backend"],
        [
          "ecs",
          "list-tasks",
          "--cluster",
          "shop-prod",
          "--service-name",
          "shop-prod-backend",
          "--desired-status",
          "STOPPED",
          "--max-items",
          "10",
        ],
        [
          "ecs",
          "describe-tasks",
          "--cluster",
          "shop-prod",
          "--tasks",
          TASK("prod", "aaaa1111"),
          TASK("prod", "bbbb2222"),
        ],
      ],
    );
    assert.equal(
      run.summary,
      [
        "## backend: deployment to prod failed",
        "",
        "Revision <code>shop-prod-backend:43</code> did not become stable: its tasks stopped, the wait timed out, or the deployment circuit breaker rolled the service back.",
        "Tasks its target group finds unhealthy are stopped too: look for failed health checks in the events.",
        "",
        "- Service: [shop-prod-backend](https://console.aws.amazon.com/ecs/v2/clusters/shop-prod/services/shop-prod-backend/deployments?region=eu-west-1) on cluster <code>shop-prod</code>",
        "- Logs: [/ecs/shop-prod-backend](https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fshop-prod-backend)",
        `- Image: <code>${REGISTRY}/shop-prod-backend:${SHA}</code> (<code>${DIGEST}</code>)`,
        "",
        "### Deployments",
        "",
        "~~~text",
        "PRIMARY shop-prod-backend:42: COMPLETED, 2 of 2 running, 0 failed",
        "ACTIVE shop-prod-backend:43: FAILED, 0 of 0 running, 3 failed. ECS deployment circuit breaker: tasks failed to start.",
        "~~~",
        "",
        "### Recent service events",
        "",
        "~~~text",
        "2026-11-01T10:15:00.000000+00:00  (service shop-prod-backend) rolling back to deployment ecs-svc/1111.",
        "2026-11-01T10:14:00.000000+00:00  (service shop-prod-backend) deployment ecs-svc/2222 deployment failed: tasks failed to start.",
        "~~~",
        "",
        "### Stopped tasks (at most 10)",
        "",
        "~~~text",
        "aaaa1111 (shop-prod-backend:43): EssentialContainerExited: Essential container in task exited",
        "  container backend: exit code 1",
        "bbbb2222 (shop-prod-backend:43): TaskFailedToStart: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
        "  container backend: exit code none, CannotPullContainerError",
        "~~~",
        "",
        "",
      ].join("\n"),
    );
    assert.doesNotMatch(run.summary + run.log, /do-not-print-me/);
  });

  it("after a failed deployment, says what could not be read (AccessDenied) and still finishes", () => {
    const denied =
      "An error occurred (AccessDeniedException) when calling the ListTasks operation: not authorized";
    const run = runSummary(
      staging(),
      "Summarize the failed deployment",
      "staging",
      { ...deployed("staging", "backend"), deploy: {} },
      { "ecs describe-services": rolledBack("staging"), "ecs list-tasks": denied },
    );
    assert.equal(run.status, 0, run.log);
    assert.match(
      run.summary,
      /ECS did not register the new revision of <code>shop-staging-backend<\/code>: the deploy step's log says why\./,
    );
    assert.doesNotMatch(run.summary, /target group/);
    assert.ok(
      run.summary.endsWith(
        `### Stopped tasks (could not be listed)\n\n~~~text\n${denied}\n~~~\n\n`,
      ),
      run.summary,
    );
    assert.deepEqual(
      run.awsCalls.map((c) => c[1]),
      ["describe-services", "list-tasks"],
    );
  });

  it("run only when the deploy or the rollback check failed, and get no secret", () => {
    for (const job of [prod(), staging()]) {
      assert.equal(step(job, "Summarize the deployment").if, undefined, "on success");
      assert.equal(
        step(job, "Summarize the failed deployment").if,
        "failure() && (steps.deploy.outcome == 'failure' || steps.rollback.outcome == 'failure')",
      );
      const ids = job.steps.map((s) => s.id);
      for (const id of ["existing", "build", "deploy", "rollback"]) assert.ok(ids.includes(id), id);
      for (const name of ["Summarize the deployment", "Summarize the failed deployment"]) {
        assert.doesNotMatch(JSON.stringify(step(job, name)), /secrets\./, name);
      }
    }
  });

  it("for an image only: the pushed image, its digest and the moving tag, no AWS call and no failure step", () => {
    const job = deployJob(
      readStack("prod", path.join(PROJECT_DIR, "examples", "ecr-push-only.prod.yaml")),
      "proxy",
    );
    const names = job.steps.map((s) => s.name ?? "");
    assert.ok(!names.some((n) => n.startsWith("Summarize the failed")));
    const run = runSummary(job, "Summarize the push", "prod", deployed("prod", "proxy"), {});
    assert.equal(run.status, 0, run.log);
    assert.deepEqual(run.awsCalls, []);
    assert.match(run.summary, /^## proxy pushed for prod$/m);
    assert.match(run.summary, new RegExp(`\\| Digest \\| <code>${DIGEST}</code> \\|`));
    assert.match(
      run.summary,
      /\| Moving tag \| <code>123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/edge-prod-proxy:prod<\/code> now names this image \|/,
    );
    assert.doesNotMatch(run.summary, /Task definition|Logs/);
  });

  it("for a service no ECS service runs: the registered revision and its log group, no AWS call", () => {
    const job = deployJob(
      withConfig(shippedStack("staging"), { "delivery:ecs.network": undefined }),
      "backend",
    );
    assert.ok(!job.steps.some((s) => s.name === "Summarize the deployment"));
    const run = runSummary(
      job,
      "Summarize the registration",
      "staging",
      deployed("staging", "backend"),
      {},
    );
    assert.equal(run.status, 0, run.log);
    assert.deepEqual(run.awsCalls, []);
    assert.match(
      run.summary,
      /\| Task definition \| <code>shop-staging-backend:43<\/code>: registered only; no ECS service of this stage runs it/,
    );
    assert.match(run.summary, /\| Logs \| \[\/ecs\/shop-staging-backend\]\(https:\/\/console/);
    const failed = step(job, "Summarize the failed registration");
    assert.equal(failed.if, "failure() && steps.deploy.outcome == 'failure'");
    const refused = runSummary(
      job,
      "Summarize the failed registration",
      "staging",
      { ...deployed("staging", "backend"), deploy: {} },
      {},
    );
    assert.match(
      refused.summary,
      /ECS refused the new revision of <code>shop-staging-backend<\/code>/,
    );
    assert.deepEqual(refused.awsCalls, []);
  });

  it("names the log group without a link where the partition has no public console", () => {
    const job = deployJob(
      withConfig(shippedStack("staging"), {
        "aws:region": "us-iso-east-1",
        "delivery:ecs.network": undefined,
      }),
      "backend",
    );
    const run = runSummary(
      job,
      "Summarize the registration",
      "staging",
      deployed("staging", "backend"),
      {},
    );
    assert.match(run.summary, /\| Logs \| <code>\/ecs\/shop-staging-backend<\/code> \|/);
  });
});
