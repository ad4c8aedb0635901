/**
 * Accepted means it applies: configs the real providers or APIs would refuse (some of them half-way
 * through `pulumi up`) are refused before anything is declared, with the key, the reason and the
 * fix. One block per class of limit; each case names its source.
 */
import { strict as assert } from "assert";
import { adminClassReason } from "../lib/adminPolicies";
import { generatedStackConfig } from "../scripts/generated";
import { ConfigInput } from "../stacks/load";
import { plan, shippedStack } from "./hooks";
import { ofType, one, refusedWith, withConfig, withSecret } from "./support";

const staging = () => shippedStack("staging");
const prod = () => shippedStack("prod");

/** [title, config, key path the problem starts with, fragments the problem contains]. */
type Case = [title: string, input: () => ConfigInput, key: string, ...fragments: string[]];

function refuses(cases: readonly Case[]): void {
  for (const [title, input, key, ...fragments] of cases) {
    it(`refuses ${title}`, async () => {
      await refusedWith(input(), key, ...fragments);
    });
  }
}

/** A generated staging stack of `n` services with two secrets each (scripts/generated.ts). */
function generated(n: number): ConfigInput {
  return {
    stack: "staging",
    values: Object.fromEntries(
      Object.entries(generatedStackConfig(n)).map(([k, v]) => [
        k,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ),
    secretKeys: new Set(),
  };
}

const TG =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-prod-backend/6d0ecf831eec9f09";

describe("limits: tags (IAM Tag rules, the strictest of the services tagged)", () => {
  refuses([
    ...["&", "'", "#", "("].map((c): Case => [
      `a tag value with ${c}`,
      () => withConfig(staging(), { "delivery:tags.owner": `a${c}b` }),
      "delivery:tags.owner",
      "only letters, digits, spaces and _.:/=+-@",
    ]),
    [
      "a tag key over 128 characters",
      () => withConfig(staging(), { [`delivery:tags.${"k".repeat(129)}`]: "x" }),
      `delivery:tags.${"k".repeat(129)}`,
      "at most 128",
    ],
    [
      "a tag value over 256 characters",
      () => withConfig(staging(), { "delivery:tags.owner": "v".repeat(257) }),
      "delivery:tags.owner",
      "at most 256",
    ],
    [
      "more tags than AWS allows next to the program's three",
      () =>
        withConfig(staging(), {
          "delivery:tags": Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, "x"])),
        }),
      "delivery:tags",
      "48 tags",
      "keep at most 47",
    ],
    [
      "a tag key with the reserved aws: prefix",
      () => withConfig(staging(), { "delivery:tags": { "AWS:team": "x" } }),
      "delivery:tags.AWS:team",
      '"aws:"',
    ],
    [
      "a tag value with the reserved aws: prefix",
      () => withConfig(staging(), { "delivery:tags.owner": "aws:me" }),
      "delivery:tags.owner",
      '"aws:"',
    ],
    [
      "a user tag Stage next to the program's stage",
      () => withConfig(staging(), { "delivery:tags.Stage": "blue" }),
      "delivery:tags.Stage",
      'the program sets the tag "stage"',
      "ignore letter case",
    ],
    [
      "two tag keys that differ only in letter case",
      () => withConfig(staging(), { "delivery:tags": { Env: "a", env: "b" } }),
      "delivery:tags.env",
      "Duplicate tag keys found",
    ],
  ]);
});

describe("limits: Secrets Manager recovery window (0 or 7 to 30)", () => {
  refuses([
    [
      "a window of 3 days (terraform-provider-aws secretsmanager/secret.go)",
      () => withConfig(staging(), { "delivery:secretSettings.recoveryWindowDays": 3 }),
      "delivery:secretSettings.recoveryWindowDays",
      "must be 0 (delete at once) or 7 to 30",
    ],
    [
      "a secret's own window of 6 days",
      () => withConfig(staging(), { "delivery:secrets.jwt-secret.recoveryWindowDays": 6 }),
      "delivery:secrets.jwt-secret.recoveryWindowDays",
      "got 6",
    ],
  ]);

  it("accepts 0 in staging and 7 in prod", async () => {
    await plan(withConfig(staging(), { "delivery:secretSettings.recoveryWindowDays": 0 }));
    await plan(withConfig(prod(), { "delivery:secretSettings.recoveryWindowDays": 7 }));
  });
});

describe("limits: ECR repository names (CreateRepository pattern, 2 to 256)", () => {
  refuses([
    ...[
      "shop--backend",
      "shop__backend",
      "shop..backend",
      "shop._backend",
      "-shop",
      "shop-",
      "Shop",
      "x",
      `a${"b".repeat(256)}`,
    ].map((name): Case => [
      `the repository name "${name.length > 20 ? `${name.slice(0, 12)}...` : name}"`,
      () => withConfig(staging(), { "delivery:services.backend.repositoryName": name }),
      "delivery:services.backend.repositoryName",
      "ECR repository name",
    ]),
    [
      "an adopted repository name with a separator run",
      () => withConfig(staging(), { "delivery:adopt.repositories": { backend: "app/-backend" } }),
      "delivery:adopt.repositories.backend",
      "ECR repository name",
    ],
  ]);

  it("accepts one separator between parts, and namespaces", async () => {
    const run = await plan(
      withConfig(staging(), {
        "delivery:services.backend.repositoryName": "team/shop-backend",
        "delivery:services.frontend.repositoryName": "team/shop_front.end",
      }),
    );
    const names = ofType(run, "aws:ecr/repository:Repository").map((r) => r.inputs.name);
    assert.deepEqual(names.sort(), ["team/shop-backend", "team/shop_front.end"]);
  });

  it("refuses a service name whose default repository name would have a run of hyphens", async () => {
    await refusedWith(
      withConfig(staging(), { "delivery:services.back--end": { port: 1, healthCheckPath: "/" } }),
      "delivery:services.back--end",
      "lowercase letters",
    );
  });
});

describe("limits: ECS awsvpc and images", () => {
  const subnets = (n: number) =>
    Array.from({ length: n }, (_, i) => `subnet-0a1b2c3d4e5f6${String(i).padStart(4, "0")}`);
  refuses([
    [
      "17 subnets (ECS AwsVpcConfiguration: at most 16)",
      () => withConfig(staging(), { "delivery:ecs.network.subnets": subnets(17) }),
      "delivery:ecs.network.subnets",
      "at most 16",
    ],
    [
      "6 security groups (at most 5)",
      () =>
        withConfig(staging(), {
          "delivery:ecs.network.securityGroups": Array.from(
            { length: 6 },
            (_, i) => `sg-0c1d2e3f4a5b6071${i}`,
          ),
        }),
      "delivery:ecs.network.securityGroups",
      "at most 5",
    ],
    [
      "a load balancer's ARN as the target group",
      () =>
        withConfig(prod(), {
          "delivery:services.backend.targetGroupArn":
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188",
        }),
      "delivery:services.backend.targetGroupArn",
      "must be an ELB target group ARN",
    ],
    [
      "a target group of another region",
      () =>
        withConfig(prod(), {
          "delivery:services.backend.targetGroupArn": TG.replace("eu-west-1", "us-east-1"),
        }),
      "delivery:services.backend.targetGroupArn",
      "region us-east-1",
      "runs in eu-west-1",
    ],
    [
      "a target group of another account than the other one",
      () =>
        withConfig(prod(), {
          // Without the stack's own account guard, the first ARN's account is the stack's.
          "aws:allowedAccountIds": undefined,
          "delivery:services.backend.targetGroupArn": TG.replace("123456789012", "210987654321"),
        }),
      "delivery:services.frontend.targetGroupArn",
      "account 123456789012",
      "names 210987654321",
    ],
    [
      "an image reference over 255 characters",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.repositoryName": `shop/${"b".repeat(200)}`,
        }),
      "delivery:services.backend.repositoryName",
      "at most 255",
    ],
    [
      "a repository name that leaves no room for the pipeline's tag, the commit's 40-character SHA",
      // 44 (registry) + 1 + 170 + 1 + 40 = 256; with the short "bootstrap" tag it would fit.
      () =>
        withConfig(staging(), {
          "delivery:services.backend.repositoryName": `shop/${"b".repeat(165)}`,
        }),
      "delivery:services.backend.repositoryName",
      "would be 256 characters",
      "at most 255",
    ],
  ]);

  it("accepts the longest repository name whose image reference fits with the commit's SHA as tag", async () => {
    const name = `shop/${"b".repeat(164)}`;
    const run = await plan(
      withConfig(staging(), { "delivery:services.backend.repositoryName": name }),
    );
    assert.equal(one(run, "aws:ecr/repository:Repository", "shop-backend").inputs.name, name);
  });
});

describe("limits: ARNs in config (right service, resource type, region, account)", () => {
  refuses([
    [
      "a KMS key of another region",
      () =>
        withConfig(staging(), {
          "delivery:ecr.kmsKeyArn":
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        }),
      "delivery:ecr.kmsKeyArn",
      "region us-east-1",
    ],
    [
      "a KMS alias ARN (grants name keys, not aliases)",
      () =>
        withConfig(staging(), {
          "delivery:secretSettings.kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:alias/shop",
        }),
      "delivery:secretSettings.kmsKeyArn",
      "not an alias",
    ],
    [
      "an ARN of China's partition in a commercial region",
      () =>
        withConfig(staging(), {
          "delivery:ecr.kmsKeyArn":
            "arn:aws-cn:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        }),
      "delivery:ecr.kmsKeyArn",
      "partition aws-cn",
    ],
    [
      "an adopted secret of another region",
      () =>
        withConfig(staging(), {
          "delivery:adopt.secrets": {
            "openai-key": "arn:aws:secretsmanager:us-west-2:123456789012:secret:shop/openai-AbCdEf",
          },
        }),
      "delivery:adopt.secrets.openai-key",
      "region us-west-2",
    ],
    [
      "an adopted OIDC provider that is not GitHub's",
      () =>
        withConfig(staging(), {
          "delivery:adopt.oidcProvider": "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
        }),
      "delivery:adopt.oidcProvider",
      "token.actions.githubusercontent.com",
    ],
    [
      "an existing provider ARN outside aws:allowedAccountIds",
      () =>
        withConfig(prod(), {
          "aws:allowedAccountIds": ["123456789012"],
          "delivery:oidc.arn":
            "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
        }),
      "delivery:oidc.arn",
      "account 999999999999",
      "aws:allowedAccountIds names 123456789012",
    ],
    [
      "aws:allowedAccountIds that are not 12-digit ids",
      () => withConfig(staging(), { "aws:allowedAccountIds": [12345] }),
      "aws:allowedAccountIds",
      "12-digit",
    ],
  ]);

  it("gives the AWS provider the account the config's ARNs name, so other credentials are refused before anything is created", async () => {
    const unguarded = { "aws:allowedAccountIds": undefined };
    const run = await plan(withConfig(prod(), unguarded));
    // Provider inputs reach the engine as JSON text.
    const provider = one(run, "pulumi:providers:aws", "shop");
    assert.deepEqual(JSON.parse(String(provider.inputs.allowedAccountIds)), ["123456789012"]);
    // Staging names no ARN: without aws:allowedAccountIds nothing guards it.
    const staged = await plan(withConfig(staging(), unguarded));
    assert.equal(one(staged, "pulumi:providers:aws", "shop").inputs.allowedAccountIds, undefined);
  });
});

describe("limits: IAM policy ARNs (exactly policy ARNs, AWS-managed ones included)", () => {
  it("accepts AWS-managed policies in taskRolePolicyArns and permissionsBoundary", async () => {
    const run = await plan(
      withConfig(staging(), {
        "delivery:services.backend.taskRolePolicyArns": [
          "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
          "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ],
        "delivery:deployRole.permissionsBoundary": "arn:aws:iam::aws:policy/PowerUserAccess",
      }),
    );
    const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
      (a) => a.inputs.policyArn,
    );
    assert.deepEqual(attached.sort(), [
      "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ]);
  });

  refuses([
    [
      "a role's ARN in taskRolePolicyArns",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": ["arn:aws:iam::123456789012:role/app"],
        }),
      "delivery:services.backend.taskRolePolicyArns[0]",
      "must be an IAM policy ARN",
    ],
    ...[
      "AdministratorAccess",
      "PowerUserAccess",
      "IAMFullAccess",
      "AdministratorAccess-Amplify",
    ].map((name): Case => [
      `the admin-class ${name} on a task role`,
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": [`arn:aws:iam::aws:policy/${name}`],
        }),
      "delivery:services.backend.taskRolePolicyArns[0]",
      `${name} is an admin-class AWS-managed policy`,
    ]),
  ]);

  it("knows an admin-class policy by its name, on any path and in any partition, and no other policy", () => {
    for (const [arn, reason] of [
      ["arn:aws:iam::aws:policy/AdministratorAccess", "allows every action on every resource"],
      [
        "arn:aws:iam::aws:policy/job-function/AdministratorAccess",
        "allows every action on every resource",
      ],
      [
        "arn:aws:iam::aws:policy/service-role/team/IAMFullAccess",
        "allows every IAM action, so its holder can grant itself anything",
      ],
      [
        "arn:aws-cn:iam::aws:policy/PowerUserAccess",
        "allows every action except IAM, Organizations and Account management",
      ],
      [
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess-Amplify",
        "creates roles and attaches any policy to them",
      ],
    ]) {
      assert.equal(adminClassReason(arn), reason, arn);
    }
    for (const arn of [
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      "arn:aws:iam::aws:policy/AdministratorAccess/ReadOnly",
      "arn:aws:iam::aws:policy/AdministratorAccessToSomething",
    ]) {
      assert.equal(adminClassReason(arn), undefined, arn);
    }
  });
});

describe("limits: policies attached by config", () => {
  refuses([
    [
      "more task role policies than IAM attaches to a role",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": Array.from(
            { length: 11 },
            (_, i) => `arn:aws:iam::123456789012:policy/app-${i}`,
          ),
        }),
      "delivery:services.backend.taskRolePolicyArns",
      'quota "Managed policies per role" of 10',
    ],
  ]);

  it("names each attachment so that no other resource can have its name", async () => {
    // A service "web" with policy "s3-task-read", and a service "web-task-s3" with policy "read".
    const run = await plan(
      withConfig(staging(), {
        "delivery:services": {
          web: {
            port: 80,
            healthCheckPath: "/",
            taskRolePolicyArns: ["arn:aws:iam::123456789012:policy/s3-task-read"],
          },
          "web-task-s3": {
            port: 80,
            healthCheckPath: "/",
            taskRolePolicyArns: ["arn:aws:iam::123456789012:policy/read"],
          },
        },
      }),
    );
    const names = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
      (a) => a.name,
    );
    assert.deepEqual(names.sort(), ["shop-web-task-s3-task/read", "shop-web-task/s3-task-read"]);
  });
});

describe("limits: random passwords", () => {
  refuses([
    [
      "a generated secret with every character set off (terraform-provider-random)",
      () =>
        withConfig(staging(), {
          "delivery:secrets.jwt-secret": {
            source: "generated",
            upper: false,
            lower: false,
            numeric: false,
            special: false,
          },
        }),
      "delivery:secrets.jwt-secret",
      "nothing to generate the value from",
    ],
  ]);
});

describe("limits: encrypted config values (Secrets Manager 65,536 bytes, a GitHub secret 48 KB)", () => {
  /** Staging with `delivery:bigValue` (encrypted) as the value of a runtime or a GitHub secret. */
  const holding = (where: "runtime" | "github", value: string) =>
    withSecret(
      withConfig(staging(), {
        [where === "runtime" ? "delivery:secrets.big" : "delivery:github.secrets.BIG"]: {
          source: "config",
          key: "bigValue",
        },
      }),
      "delivery:bigValue",
      value,
    );

  refuses([
    [
      "a runtime secret's value over 65,536 bytes (CreateSecret SecretString)",
      () => holding("runtime", "x".repeat(65_537)),
      "delivery:bigValue",
      "65537 bytes",
      "at most 65,536",
    ],
    [
      "a GitHub secret's value over 48 KB, which Secrets Manager would still take",
      () => holding("github", "x".repeat(48 * 1024 + 1)),
      "delivery:bigValue",
      "49153 bytes",
      "a GitHub secret holds at most 48 KB",
    ],
    [
      "a GitHub secret's value of 30,000 characters that is 60,000 bytes in UTF-8",
      () => holding("github", "é".repeat(30_000)),
      "delivery:bigValue",
      "60000 bytes",
      "at most 48 KB",
    ],
  ]);

  it("accepts a value of exactly the limit: 65,536 bytes in a runtime secret, 48 KB in a GitHub secret", async () => {
    await plan(holding("runtime", "x".repeat(65_536)));
    await plan(holding("github", "x".repeat(48 * 1024)));
  });
});

describe("limits: duplicate list entries (two resources of one URN)", () => {
  refuses([
    [
      "a deploy branch listed twice",
      () => withConfig(staging(), { "delivery:github.deployBranches": ["main", "main"] }),
      "delivery:github.deployBranches[1]",
      'lists "main" twice',
    ],
    [
      "an alarm e-mail listed twice, in another letter case",
      () =>
        withConfig(staging(), {
          "delivery:fallback": {
            enabled: true,
            alarmEmails: ["oncall@example.com", "OnCall@example.com"],
          },
        }),
      "delivery:fallback.alarmEmails[1]",
      "twice",
      "ignoring letter case",
    ],
    [
      "a reviewer listed twice",
      () =>
        withConfig(prod(), {
          "delivery:github.protection.reviewers.users": ["alice-ops", "Alice-Ops"],
        }),
      "delivery:github.protection.reviewers.users[1]",
      "twice",
    ],
    [
      "a reviewing team listed twice, in another letter case",
      () =>
        withConfig(prod(), {
          "delivery:github.protection.reviewers.teams": ["shop-maintainers", "Shop-Maintainers"],
        }),
      "delivery:github.protection.reviewers.teams[1]",
      "twice",
      "ignoring letter case",
    ],
    [
      "a deploy tag pattern listed twice",
      () => withConfig(prod(), { "delivery:github.deployTags": ["backend-v*", "backend-v*"] }),
      "delivery:github.deployTags[1]",
      'lists "backend-v*" twice',
    ],
    [
      "a task role policy listed twice",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": [
            "arn:aws:iam::123456789012:policy/app",
            "arn:aws:iam::123456789012:policy/app",
          ],
        }),
      "delivery:services.backend.taskRolePolicyArns[1]",
      "twice",
    ],
    [
      "two task role policies of one name on different paths",
      () =>
        withConfig(staging(), {
          "delivery:services.backend.taskRolePolicyArns": [
            "arn:aws:iam::123456789012:policy/a/app",
            "arn:aws:iam::123456789012:policy/b/app",
          ],
        }),
      "delivery:services.backend.taskRolePolicyArns[1]",
      "a second policy named app",
    ],
  ]);
});

describe("limits: GitHub (per-environment limits, names that ignore case)", () => {
  const variables = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`SETTING_${i}`, "x"]));
  refuses([
    [
      "a variable that differs from another only in letter case",
      () => withConfig(staging(), { "delivery:github.variables.app_url": "x" }),
      "delivery:github.variables.APP_URL",
      "like variable app_url",
      "same ignoring letter case",
    ],
    [
      "more than 100 variables in one environment",
      () => withConfig(staging(), { "delivery:github.variables": variables(100) }),
      "delivery:github",
      "at most 100",
    ],
    [
      "more than 100 secrets in one environment",
      () =>
        withConfig(staging(), {
          "delivery:github.secrets": Object.fromEntries(
            Array.from({ length: 100 }, (_, i) => [`TOKEN_${i}`, { source: "generated" }]),
          ),
        }),
      "delivery:github.secrets.TOKEN_0",
      "would write 101 GitHub environment secret names",
      "at most 100",
    ],
    [
      "an environment name over 255 characters",
      () => withConfig(staging(), { "delivery:github.environment": `s${"t".repeat(255)}` }),
      "delivery:github.environment",
      "at most 255",
    ],
    [
      "the flat layout when it does not fit",
      () =>
        withConfig(staging(), {
          "delivery:github.variableLayout": "flat",
          "delivery:github.variables": variables(95),
        }),
      "delivery:github",
      "at most 100",
    ],
    [
      "more services than the compact layout's one variable of at most 48 KB can hold",
      () => generated(450),
      "delivery:github.variableLayout",
      "the DELIVERY_SERVICES variable would be",
      "for 450 services",
      "a GitHub variable holds at most 48 KB",
    ],
  ]);

  it("writes one JSON variable for the services once one variable each would not fit, and says so", async () => {
    const services = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [`svc${i}`, { port: 8000, healthCheckPath: "/" }]),
    );
    const run = await plan(withConfig(staging(), { "delivery:services": services }));
    const variables = ofType(
      run,
      "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    );
    assert.ok(variables.length <= 100);
    const compact = variables.find((v) => v.inputs.variableName === "DELIVERY_SERVICES");
    assert.ok(compact, "the compact variable is written");
    const value = JSON.parse(String(compact.inputs.value)) as Record<
      string,
      Record<string, string>
    >;
    assert.deepEqual(value.svc7, {
      repository: "shop-staging-svc7",
      service: "shop-staging-svc7",
      taskDefinition: "shop-staging-svc7",
      containerName: "svc7",
      logGroup: "/ecs/shop-staging-svc7",
    });
    assert.ok(!variables.some((v) => String(v.inputs.variableName).startsWith("ECR_REPOSITORY_")));
  });
});
