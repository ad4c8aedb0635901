/**
 * ARNs: their parts, the partition of a region, and the ARN formats config may give, each for
 * exactly one kind of resource.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its parts; undefined for text that is not an ARN. */
export function parseArn(arn: string): ArnParts | undefined {
  const match = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):([a-z0-9-]*):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return { partition, service, region, account, resource };
}

/** An AWS partition: its ARN prefix and the DNS suffix of its service endpoints. */
interface Partition {
  readonly name: string;
  readonly dnsSuffix: string;
  /** Host of its AWS Management Console; none for the isolated partitions. */
  readonly console?: string;
}

/**
 * The partitions other than `aws`, by their regions' prefix.
 * @see https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */
const PARTITIONS: readonly (readonly [prefix: string, partition: Partition])[] = [
  ["cn-", { name: "aws-cn", dnsSuffix: "amazonaws.com.cn", console: "console.amazonaws.cn" }],
  [
    "us-gov-",
    { name: "aws-us-gov", dnsSuffix: "amazonaws.com", console: "console.amazonaws-us-gov.com" },
  ],
  ["us-isob-", { name: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov" }],
  ["us-isof-", { name: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov" }],
  ["us-iso-", { name: "aws-iso", dnsSuffix: "c2s.ic.gov" }],
  ["eu-isoe-", { name: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk" }],
  ["eusc-", { name: "aws-eusc", dnsSuffix: "amazonaws.eu" }],
];
const COMMERCIAL: Partition = {
  name: "aws",
  dnsSuffix: "amazonaws.com",
  console: "console.aws.amazon.com",
};

const partition = (region: string): Partition =>
  PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? COMMERCIAL;

/** The partition of a region's ARNs: `aws-cn` for China, `aws-us-gov` for GovCloud, ... `aws`. */
export function partitionOf(region: string): string {
  return partition(region).name;
}

/**
 * `https://<console host>` of a region's partition (the host amazon-ecs-deploy-task-definition
 * links to for China, the GovCloud console's own), or undefined where there is no public console.
 */
export function consoleOrigin(region: string): string | undefined {
  const host = partition(region).console;
  return host ? `https://${host}` : undefined;
}

const PARTITION = "aws(?:-[a-z]+)*";
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";
const ACCOUNT = "\\d{12}";

/** A kind of ARN that config may give. */
export interface ArnKind {
  /** What it names, for messages: "a KMS key ARN". */
  readonly what: string;
  readonly pattern: RegExp;
  readonly example: string;
  /** The resource lives in a region, which must be the stack's. */
  readonly regional: boolean;
}

/** The ARNs config may give, each matching exactly its kind of resource. */
export const ARN_KINDS = {
  // kms:Decrypt is granted on it, and grants name keys, not aliases.
  kmsKey: {
    what: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)",
    pattern: new RegExp(
      `^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`,
    ),
    example: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    regional: true,
  },
  // ELBv2 target groups: name of at most 32 letters, digits and "-", then a 16-hex id.
  targetGroup: {
    what: "an ELB target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)",
    pattern: new RegExp(
      `^arn:${PARTITION}:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?/[0-9a-f]{16}$`,
    ),
    example:
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop-backend/0123456789abcdef",
    regional: true,
  },
  // IAM policy ARNs: the account's own, or AWS-managed ones (account "aws"), with a path.
  policy: {
    what: "an IAM policy ARN (arn:aws:iam::<account or aws>:policy/<path><name>)",
    pattern: new RegExp(
      `^arn:${PARTITION}:iam::(?:${ACCOUNT}|aws):policy/(?:[A-Za-z0-9.,+@=_-]+/)*[\\w+=,.@-]{1,128}$`,
    ),
    example: "arn:aws:iam::123456789012:policy/shop-backend-app",
    regional: false,
  },
  // IAM role ARNs of the account, with a path (service roles live under paths).
  role: {
    what: "an IAM role ARN (arn:aws:iam::<account>:role/<path><name>)",
    pattern: new RegExp(
      `^arn:${PARTITION}:iam::${ACCOUNT}:role/(?:[A-Za-z0-9.,+@=_-]+/)*[\\w+=,.@-]{1,64}$`,
    ),
    example: "arn:aws:iam::123456789012:role/shop-backend-execution",
    regional: false,
  },
  // The account's IAM OIDC provider for GitHub Actions.
  githubOidcProvider: {
    what: "the ARN of the account's GitHub OIDC provider (arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com)",
    pattern: new RegExp(
      `^arn:${PARTITION}:iam::${ACCOUNT}:oidc-provider/token\\.actions\\.githubusercontent\\.com$`,
    ),
    example: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    regional: false,
  },
  // Secrets Manager appends "-" and six random characters to the name.
  secret: {
    what: "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    pattern: new RegExp(
      `^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$`,
    ),
    example: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/openai-AbCdEf",
    regional: true,
  },
  // CloudTrail trail names: 3-128 letters, digits, ".", "_" and "-", starting with a letter or
  // digit. A multi-region trail may live in another region, so the region is not the stack's.
  trail: {
    what: "a CloudTrail trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)",
    pattern: new RegExp(
      `^arn:${PARTITION}:cloudtrail:${REGION}:${ACCOUNT}:trail/[A-Za-z0-9][A-Za-z0-9._-]{2,127}$`,
    ),
    example: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events",
    regional: false,
  },
} as const satisfies Record<string, ArnKind>;

/** The name of an IAM policy (or role) from its ARN: the last path segment (`…:policy/job-function/ViewOnlyAccess` → `ViewOnlyAccess`). */
export function policyNameOf(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf("/") + 1);
}

/**
 * The host of an account's ECR registry: `<account>.dkr.ecr.<region>.amazonaws.com`
 * (`.amazonaws.com.cn` in China).
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
 */
export function ecrRegistry(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${partition(region).dnsSuffix}`;
}

// ---------------------------------------------------------------------------------------------
// ARN templates: ARNs known from names before the account and the created secrets' random
// suffixes are. Every account id has 12 digits and every suffix 6 characters, so a template's
// length with placeholders is the real ARN's length.

/** Stands for the account the stack runs in. */
export const ACCOUNT_TOKEN = "{{account}}";
/** Stands for the ARN of the stage's secret `key`, known once Secrets Manager created it. */
export const secretToken = (key: string) => `{{secret:${key}}}`;

/** What a template is rendered with. */
export interface ArnValues {
  readonly accountId: string;
  /** Secret key → ARN. */
  readonly secretArns: Readonly<Record<string, string>>;
}

/** Replaces the tokens of a template; an unknown secret or a stray token is a program error. */
export function renderArn(template: string, values: ArnValues): string {
  const text = template
    .split(ACCOUNT_TOKEN)
    .join(values.accountId)
    .replace(/\{\{secret:([^}]+)\}\}/g, (_, key: string) => {
      const arn = values.secretArns[key];
      if (arn === undefined) throw new Error(`renderArn: no ARN for secret ${key}`);
      return arn;
    });
  if (text.includes("{{")) throw new Error(`renderArn: unrendered token in ${template}`);
  return text;
}

/** The region and partition an ARN template is in. */
export interface ArnScope {
  readonly region: string;
}

/** ARN templates of the resources the stage names in its policies. */
export const arnTemplate = {
  repository: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:ecr:${s.region}:${ACCOUNT_TOKEN}:repository/${name}`,
  role: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:iam::${ACCOUNT_TOKEN}:role/${name}`,
  cluster: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:ecs:${s.region}:${ACCOUNT_TOKEN}:cluster/${name}`,
  // The long ARN format, with the cluster: the default for every account since 2021.
  service: (s: ArnScope, cluster: string, name: string) =>
    `arn:${partitionOf(s.region)}:ecs:${s.region}:${ACCOUNT_TOKEN}:service/${cluster}/${name}`,
  /** Every task of a cluster (the long ARN format, with the cluster). */
  clusterTasks: (s: ArnScope, cluster: string) =>
    `arn:${partitionOf(s.region)}:ecs:${s.region}:${ACCOUNT_TOKEN}:task/${cluster}/*`,
  /** Every revision of a task definition family. */
  taskFamily: (s: ArnScope, family: string) =>
    `arn:${partitionOf(s.region)}:ecs:${s.region}:${ACCOUNT_TOKEN}:task-definition/${family}:*`,
  logGroup: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:logs:${s.region}:${ACCOUNT_TOKEN}:log-group:${name}`,
  githubOidcProvider: (s: ArnScope) =>
    `arn:${partitionOf(s.region)}:iam::${ACCOUNT_TOKEN}:oidc-provider/token.actions.githubusercontent.com`,
  /** A CDK bootstrap role of this account and region (`cdk-<qualifier>-<kind>-role-<account>-<region>`). */
  cdkBootstrapRole: (s: ArnScope, qualifier: string, kind: string) =>
    `arn:${partitionOf(s.region)}:iam::${ACCOUNT_TOKEN}:role/cdk-${qualifier}-${kind}-role-${ACCOUNT_TOKEN}-${s.region}`,
  lambdaFunction: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:lambda:${s.region}:${ACCOUNT_TOKEN}:function:${name}`,
  /** A created secret's ARN, for sizing: its name and six placeholder characters. */
  secretForSizing: (s: ArnScope, name: string) =>
    `arn:${partitionOf(s.region)}:secretsmanager:${s.region}:${ACCOUNT_TOKEN}:secret:${name}-XXXXXX`,
};
