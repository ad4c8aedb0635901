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
import { allows, grantedActions } from "./support";

const account = "arn:aws:ecr:eu-west-1:123456789012";
const backendRepo = `${account}:repository/shop-staging-backend`;
const frontendRepo = `${account}:repository/shop-staging-frontend`;
const prodRepo = `${account}:repository/shop-prod-backend`;

const cluster = "arn:aws:ecs:eu-west-1:123456789012:service/shop-staging";
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
const deployRole = doc(
  ecrLogin(),
  ecrPushPull([backendRepo, frontendRepo]),
  ecsDeploy({ serviceArns: [backendService], passRoleArns: [taskRole, executionRole] }),
);
const executionRolePolicy = doc(
  ecrLogin(),
  ecrPull([backendRepo]),
  readSecrets([dbSecret], [key]),
  writeLogs(logGroup),
);
const everything = [...deployRole, ...executionRolePolicy];

describe("grants", () => {
  describe("on every resource", () => {
    it("allow only ecr:GetAuthorizationToken and the unscopable task definition actions", () => {
      const context = { "iam:PassedToService": ECS_TASKS_SERVICE, ...viaSecretsManager };
      const unrelated = "arn:aws:s3:::some-other-bucket";
      const onAnything = grantedActions(everything).filter((a) =>
        allows(everything, a, unrelated, context),
      );
      assert.deepEqual(onAnything.sort(), [
        "ecr:GetAuthorizationToken",
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
      ]);
    });

    it("never grant a wildcard action", () => {
      const actions = grantedActions(everything);
      assert.ok(actions.length > 0);
      for (const action of actions)
        assert.ok(!action.includes("*") && !action.includes("?"), action);
      assert.equal(allows(everything, "iam:CreateUser", "*"), false);
      assert.equal(allows(everything, "ecr:DeleteRepository", backendRepo), false);
    });
  });

  describe("ecrLogin", () => {
    it("lets docker log in to ECR", () => {
      assert.equal(allows(doc(ecrLogin()), "ecr:GetAuthorizationToken", "*"), true);
    });
  });

  describe("ecrPull", () => {
    const policy = doc(ecrPull([backendRepo]));

    it("pulls from the given repository", () => {
      for (const action of PULL) assert.equal(allows(policy, action, backendRepo), true, action);
    });

    it("cannot pull from another repository or push anywhere", () => {
      for (const action of PULL) assert.equal(allows(policy, action, prodRepo), false, action);
      for (const action of PUSH) assert.equal(allows(policy, action, backendRepo), false, action);
    });
  });

  describe("ecrPushPull", () => {
    const policy = doc(ecrPushPull([backendRepo, frontendRepo]));

    it("pushes to and pulls from each given repository", () => {
      for (const repo of [backendRepo, frontendRepo]) {
        for (const action of [...PUSH, ...PULL])
          assert.equal(allows(policy, action, repo), true, `${action} on ${repo}`);
      }
    });

    it("cannot push to or pull from a repository it was not given (prod's)", () => {
      for (const action of [...PUSH, ...PULL])
        assert.equal(allows(policy, action, prodRepo), false, action);
      assert.equal(allows(policy, "ecr:PutImage", `${backendRepo}-evil`), false);
    });
  });

  describe("ecsDeploy", () => {
    const policy = doc(
      ecsDeploy({ serviceArns: [backendService], passRoleArns: [taskRole, executionRole] }),
    );
    const toEcsTasks = { "iam:PassedToService": ECS_TASKS_SERVICE };

    it("registers and describes task definitions (which AWS cannot scope)", () => {
      assert.equal(allows(policy, "ecs:RegisterTaskDefinition", "*"), true);
      assert.equal(allows(policy, "ecs:DescribeTaskDefinition", "*"), true);
    });

    it("updates and describes only the given services", () => {
      assert.equal(allows(policy, "ecs:UpdateService", backendService), true);
      assert.equal(allows(policy, "ecs:DescribeServices", backendService), true);
      assert.equal(allows(policy, "ecs:UpdateService", prodService), false);
      assert.equal(allows(policy, "ecs:UpdateService", `${cluster}/shop-staging-frontend`), false);
      assert.equal(allows(policy, "ecs:DeleteService", backendService), false);
    });

    it("passes the given roles to ECS tasks", () => {
      assert.equal(allows(policy, "iam:PassRole", taskRole, toEcsTasks), true);
      assert.equal(allows(policy, "iam:PassRole", executionRole, toEcsTasks), true);
    });

    it("cannot pass the roles to another service, or without saying to which service", () => {
      assert.equal(
        allows(policy, "iam:PassRole", taskRole, { "iam:PassedToService": "lambda.amazonaws.com" }),
        false,
      );
      assert.equal(
        allows(policy, "iam:PassRole", taskRole, { "iam:PassedToService": "ec2.amazonaws.com" }),
        false,
      );
      assert.equal(allows(policy, "iam:PassRole", taskRole), false);
    });

    it("cannot pass any other role, even to ECS tasks", () => {
      assert.equal(allows(policy, "iam:PassRole", adminRole, toEcsTasks), false);
      assert.equal(allows(policy, "iam:PassRole", "*", toEcsTasks), false);
    });

    it("without services or roles, grants only the task definition actions", () => {
      const bare = doc(ecsDeploy({ serviceArns: [], passRoleArns: [] }));
      assert.deepEqual(grantedActions(bare), [
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
      ]);
      assert.equal(allows(bare, "ecs:UpdateService", backendService), false);
      assert.equal(allows(bare, "iam:PassRole", taskRole, toEcsTasks), false);
    });
  });

  describe("readSecrets", () => {
    it("reads exactly the given secrets", () => {
      const policy = doc(readSecrets([dbSecret]));
      assert.equal(allows(policy, "secretsmanager:GetSecretValue", dbSecret), true);
      assert.equal(allows(policy, "secretsmanager:GetSecretValue", prodSecret), false);
      assert.equal(allows(policy, "secretsmanager:PutSecretValue", dbSecret), false);
    });

    it("without a customer-managed key, grants no KMS access", () => {
      assert.deepEqual(grantedActions(doc(readSecrets([dbSecret]))), [
        "secretsmanager:GetSecretValue",
      ]);
    });

    it("with a key, decrypts with exactly that key and only through Secrets Manager", () => {
      const policy = doc(readSecrets([dbSecret], [key]));
      assert.equal(allows(policy, "kms:Decrypt", key, viaSecretsManager), true);
      assert.equal(allows(policy, "kms:Decrypt", otherKey, viaSecretsManager), false);
      assert.equal(allows(policy, "kms:Decrypt", key), false);
      assert.equal(
        allows(policy, "kms:Decrypt", key, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" }),
        false,
      );
      assert.equal(allows(policy, "kms:Encrypt", key, viaSecretsManager), false);
    });
  });

  describe("writeLogs", () => {
    for (const [form, arn] of [
      ["the log group ARN", logGroup],
      ["the log group ARN with the API's :* suffix", `${logGroup}:*`],
    ]) {
      it(`given ${form}, writes streams of that log group only`, () => {
        const policy = doc(writeLogs(arn));
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
          assert.equal(allows(policy, action, stream(logGroup)), true, action);
          assert.equal(
            allows(policy, action, stream(`${logGroup}-admin`)),
            false,
            `${action} on a longer name`,
          );
          assert.equal(
            allows(policy, action, stream(logGroup.replace("staging", "prod"))),
            false,
            `${action} on prod`,
          );
        }
        assert.equal(allows(policy, "logs:DeleteLogGroup", logGroup), false);
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
