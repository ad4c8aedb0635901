import { strict as assert } from "assert";
import {
  ECS_TASKS_SERVICE,
  ecrLogin,
  ecrPull,
  ecrPushPull,
  ecsDeploy,
  readSecrets,
  writeLogs,
} from "../lib/grants";
import { PolicyDocument, Statement, policyDocument } from "../lib/iam";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { DEFAULT_KEY_POLICY, mayDo } from "./iam";
import { grantedActions } from "./support";

const account = "arn:aws:ecr:eu-west-1:123456789012";
const backendRepo = `${account}:repository/shop-staging-backend`;
const frontendRepo = `${account}:repository/shop-staging-frontend`;
const prodRepo = `${account}:repository/shop-prod-backend`;

const cluster = "arn:aws:ecs:eu-west-1:123456789012:service/shop-staging";
const family = (name: string) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${name}`;
const backendService = `${cluster}/shop-staging-backend`;
const prodService = "arn:aws:ecs:eu-west-1:123456789012:service/shop-prod/shop-prod-backend";

const taskRole = "arn:aws:iam::123456789012:role/shop-staging-backend-task";
const executionRole = "arn:aws:iam::123456789012:role/shop-staging-backend-execution";
const adminRole = "arn:aws:iam::123456789012:role/Admin";

const dbSecret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/staging/db-AbCdEf";
const prodSecret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-GhIjKl";
const key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const otherKey = "arn:aws:kms:eu-west-1:123456789012:key/99999999-8888-7777-6666-555555555555";
const viaSecretsManager = { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" };

const logGroup = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/shop-staging-backend";
const stream = (group: string) => `${group}:log-stream:backend/backend/0123456789abcdef`;

const PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH = [
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];

const doc = (...statements: (Statement | Statement[])[]): PolicyDocument[] => [
  policyDocument(statements.flat()),
];

/** What a deploy role and an execution role would be given, composed the way roles compose them. */
const deployTargets = {
  services: [{ serviceArn: backendService, familyArn: `${family("shop-staging-backend")}:*` }],
  passRoleArns: [taskRole, executionRole],
  familyArns: [`${family("shop-staging-backend")}:*`],
  publicIp: false,
  cluster: {
    arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging",
    tasks: "arn:aws:ecs:eu-west-1:123456789012:task/shop-staging/*",
    tags: { app: "shop", stage: "staging" },
  },
};
const deployRole = doc(
  ecrLogin(),
  ecrPushPull([backendRepo, frontendRepo]),
  ecsDeploy(deployTargets),
);
const executionRolePolicy = doc(
  ecrLogin(),
  ecrPull([backendRepo]),
  readSecrets([dbSecret], [key]),
  writeLogs(logGroup),
);
const everything = [...deployRole, ...executionRolePolicy];

/** Asks the oracle; `false` also when the answer is an explicit deny. */
const allowed = mayDo;

describe("grants", () => {
  describe("on every resource", () => {
    it("allow on * only actions AWS lets no policy scope (its Service Authorization Reference)", async () => {
      const onStar = everything
        .flatMap((d) => d.Statement)
        .filter((s) => s.Effect === "Allow" && s.Resource === "*")
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      assert.deepEqual(onStar.sort(), [
        "ecr:GetAuthorizationToken",
        "ecr:GetAuthorizationToken",
        "ecs:DescribeTaskDefinition",
        "ecs:ListTasks",
      ]);
      // Listing a cluster's tasks is authorized on * (cdklabs/construct-hub#1207): bounded by
      // the one condition key the action offers, ecs:cluster.
      for (const s of everything.flatMap((d) => d.Statement)) {
        if (s.Action === "ecs:ListTasks") {
          assert.deepEqual(s.Condition, {
            ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging" },
          });
        }
      }
      for (const action of onStar.filter((a) => a !== "ecs:ListTasks")) {
        const [service, name] = action.split(":");
        assert.ok(await isWildcardOnlyAction(service, name), `${action} takes no resource`);
      }
    });

    it("never grant a wildcard action", async () => {
      const actions = grantedActions(everything);
      assert.ok(actions.length > 0);
      for (const action of actions)
        assert.ok(!action.includes("*") && !action.includes("?"), action);
      assert.equal(
        await allowed(everything, "iam:CreateUser", "arn:aws:iam::123456789012:user/x"),
        false,
      );
      assert.equal(await allowed(everything, "ecr:DeleteRepository", backendRepo), false);
    });
  });

  describe("ecrLogin", () => {
    it("lets docker log in to ECR", async () => {
      assert.equal(await allowed(doc(ecrLogin()), "ecr:GetAuthorizationToken", "*"), true);
    });
  });

  describe("ecrPull", () => {
    const policy = doc(ecrPull([backendRepo]));

    it("pulls from the given repository", async () => {
      for (const action of PULL)
        assert.equal(await allowed(policy, action, backendRepo), true, action);
    });

    it("cannot pull from another repository or push anywhere", async () => {
      for (const action of PULL)
        assert.equal(await allowed(policy, action, prodRepo), false, action);
      for (const action of PUSH)
        assert.equal(await allowed(policy, action, backendRepo), false, action);
    });
  });

  describe("ecrPushPull", () => {
    const policy = doc(ecrPushPull([backendRepo, frontendRepo]));

    it("pushes to and pulls from each given repository", async () => {
      for (const repo of [backendRepo, frontendRepo]) {
        for (const action of [...PUSH, ...PULL])
          assert.equal(await allowed(policy, action, repo), true, `${action} on ${repo}`);
      }
    });

    it("cannot push to or pull from a repository it was not given (prod's)", async () => {
      for (const action of [...PUSH, ...PULL])
        assert.equal(await allowed(policy, action, prodRepo), false, action);
      assert.equal(await allowed(policy, "ecr:PutImage", `${backendRepo}-evil`), false);
    });
  });

  describe("ecsDeploy", () => {
    const policy = doc(ecsDeploy(deployTargets));
    const toEcsTasks = { "iam:PassedToService": ECS_TASKS_SERVICE };
    const revision = (name: string) => `${family(name)}:7`;

    it("registers revisions in the stage's own families only: staging cannot register in a prod family", async () => {
      assert.equal(
        await allowed(policy, "ecs:RegisterTaskDefinition", revision("shop-staging-backend")),
        true,
      );
      assert.equal(
        await allowed(policy, "ecs:RegisterTaskDefinition", revision("shop-prod-backend")),
        false,
      );
      assert.equal(await allowed(policy, "ecs:DescribeTaskDefinition", "*"), true);
    });

    it("never registers a privileged container", async () => {
      const target = revision("shop-staging-backend");
      assert.equal(
        await allowed(policy, "ecs:RegisterTaskDefinition", target, { "ecs:privileged": "true" }),
        false,
      );
      assert.equal(
        await allowed(policy, "ecs:RegisterTaskDefinition", target, { "ecs:privileged": "false" }),
        true,
      );
    });

    it("rolls out only the stage's own revisions to only the given services", async () => {
      const own = { "ecs:task-definition": revision("shop-staging-backend") };
      assert.equal(await allowed(policy, "ecs:UpdateService", backendService, own), true);
      assert.equal(
        await allowed(policy, "ecs:UpdateService", backendService, {
          "ecs:task-definition": revision("shop-prod-backend"),
        }),
        false,
      );
      assert.equal(await allowed(policy, "ecs:DescribeServices", backendService), true);
      assert.equal(await allowed(policy, "ecs:UpdateService", prodService, own), false);
      assert.equal(
        await allowed(policy, "ecs:UpdateService", `${cluster}/shop-staging-frontend`, own),
        false,
      );
      assert.equal(await allowed(policy, "ecs:DeleteService", backendService), false);
    });

    it("never turns on ECS Exec, nor a public IP unless the stage's network has one", async () => {
      assert.equal(
        await allowed(policy, "ecs:UpdateService", backendService, {
          "ecs:enable-execute-command": "true",
        }),
        false,
      );
      assert.equal(
        await allowed(policy, "ecs:UpdateService", backendService, {
          "ecs:auto-assign-public-ip": "true",
        }),
        false,
      );
      const publicNetwork = doc(ecsDeploy({ ...deployTargets, publicIp: true }));
      assert.equal(
        await allowed(publicNetwork, "ecs:UpdateService", backendService, {
          "ecs:auto-assign-public-ip": "true",
        }),
        true,
      );
    });

    it("lists and describes the tasks of the given cluster only: staging's, never prod's", async () => {
      const stagingCluster = {
        "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging",
      };
      const prodCluster = { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod" };
      const task = (c: string) =>
        `arn:aws:ecs:eu-west-1:123456789012:task/${c}/0123456789abcdef0123456789abcdef`;
      assert.equal(await allowed(policy, "ecs:ListTasks", "*", stagingCluster), true);
      assert.equal(await allowed(policy, "ecs:ListTasks", "*", prodCluster), false);
      // The stage's tasks carry its services' tags; another app's task on a shared cluster does not.
      const ownTags = { "aws:ResourceTag/app": "shop", "aws:ResourceTag/stage": "staging" };
      assert.equal(
        await allowed(policy, "ecs:DescribeTasks", task("shop-staging"), {
          ...stagingCluster,
          ...ownTags,
        }),
        true,
      );
      assert.equal(
        await allowed(policy, "ecs:DescribeTasks", task("shop-staging"), {
          ...stagingCluster,
          "aws:ResourceTag/app": "billing",
          "aws:ResourceTag/stage": "staging",
        }),
        false,
        "another app's task on the same cluster",
      );
      assert.equal(
        await allowed(policy, "ecs:DescribeTasks", task("shop-staging"), stagingCluster),
        false,
        "an untagged task",
      );
      assert.equal(
        await allowed(policy, "ecs:DescribeTasks", task("shop-prod"), {
          ...prodCluster,
          ...ownTags,
        }),
        false,
      );
      assert.equal(
        await allowed(policy, "ecs:DescribeTasks", task("shop-staging-evil"), ownTags),
        false,
      );
      assert.equal(await allowed(policy, "ecs:StopTask", task("shop-staging")), false);
    });

    it("passes the given roles to ECS tasks", async () => {
      assert.equal(await allowed(policy, "iam:PassRole", taskRole, toEcsTasks), true);
      assert.equal(await allowed(policy, "iam:PassRole", executionRole, toEcsTasks), true);
    });

    it("cannot pass the roles to another service, or without saying to which service", async () => {
      for (const service of ["lambda.amazonaws.com", "ec2.amazonaws.com"]) {
        assert.equal(
          await allowed(policy, "iam:PassRole", taskRole, { "iam:PassedToService": service }),
          false,
          service,
        );
      }
      assert.equal(await allowed(policy, "iam:PassRole", taskRole), false);
    });

    it("cannot pass any other role, even to ECS tasks", async () => {
      assert.equal(await allowed(policy, "iam:PassRole", adminRole, toEcsTasks), false);
    });

    it("without services, families or roles, grants only describing task definitions", async () => {
      const bare = doc(
        ecsDeploy({ services: [], passRoleArns: [], familyArns: [], publicIp: false }),
      );
      assert.deepEqual(grantedActions(bare), ["ecs:DescribeTaskDefinition"]);
      assert.equal(await allowed(bare, "ecs:UpdateService", backendService), false);
      assert.equal(await allowed(bare, "iam:PassRole", taskRole, toEcsTasks), false);
    });
  });

  describe("readSecrets", () => {
    it("reads exactly the given secrets", async () => {
      const policy = doc(readSecrets([dbSecret]));
      assert.equal(await allowed(policy, "secretsmanager:GetSecretValue", dbSecret), true);
      assert.equal(await allowed(policy, "secretsmanager:GetSecretValue", prodSecret), false);
      assert.equal(await allowed(policy, "secretsmanager:PutSecretValue", dbSecret), false);
    });

    it("without a customer-managed key, grants no KMS access", () => {
      assert.deepEqual(grantedActions(doc(readSecrets([dbSecret]))), [
        "secretsmanager:GetSecretValue",
      ]);
    });

    it("with a key, decrypts with exactly that key and only through Secrets Manager", async () => {
      const policy = doc(readSecrets([dbSecret], [key]));
      // Keys with KMS's default key policy, which lets identity policies decide.
      const decrypt = (k: string, context: Record<string, string> = {}, action = "kms:Decrypt") =>
        mayDo(policy, action, k, context, DEFAULT_KEY_POLICY);
      assert.equal(await decrypt(key, viaSecretsManager), true);
      assert.equal(await decrypt(otherKey, viaSecretsManager), false);
      assert.equal(await decrypt(key), false);
      assert.equal(await decrypt(key, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" }), false);
      assert.equal(await decrypt(key, viaSecretsManager, "kms:Encrypt"), false);
    });
  });

  describe("writeLogs", () => {
    for (const [form, arn] of [
      ["the log group ARN", logGroup],
      ["the log group ARN with the API's :* suffix", `${logGroup}:*`],
    ]) {
      it(`given ${form}, writes streams of that log group only`, async () => {
        const policy = doc(writeLogs(arn));
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
          assert.equal(await allowed(policy, action, stream(logGroup)), true, action);
          assert.equal(
            await allowed(policy, action, stream(`${logGroup}-admin`)),
            false,
            `${action} on a longer name`,
          );
          assert.equal(
            await allowed(policy, action, stream(logGroup.replace("staging", "prod"))),
            false,
            `${action} on prod`,
          );
        }
        assert.equal(await allowed(policy, "logs:DeleteLogGroup", logGroup), false);
      });
    }
  });

  it("given nothing to grant, grant nothing", () => {
    assert.deepEqual(ecrPull([]), []);
    assert.deepEqual(ecrPushPull([]), []);
    assert.deepEqual(readSecrets([]), []);
    assert.deepEqual(readSecrets([], [key]), []);
  });
});
