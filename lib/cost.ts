/**
 * The stage's fixed monthly cost, from a small price table and stated assumptions, so a team
 * sees what a stage costs before creating it. Usage-based costs (Fargate compute, data transfer,
 * log ingestion beyond the assumption, Container Insights metrics) are not included.
 *
 * Prices are AWS list prices in USD for us-east-1 and eu-west-1 (they are the same for these
 * items there); other regions differ by a few percent.
 * @see https://aws.amazon.com/secrets-manager/pricing/
 * @see https://aws.amazon.com/cloudwatch/pricing/
 * @see https://aws.amazon.com/ecr/pricing/
 * @see https://aws.amazon.com/kms/pricing/
 */

/** Unit prices, USD per month. */
export const PRICES = {
  secret: 0.4,
  kmsKey: 1.0,
  alarm: 0.1,
  logStoragePerGb: 0.03,
  logIngestionPerGb: 0.5,
  ecrStoragePerGb: 0.1,
} as const;

/** What the estimate assumes about usage. */
export const ASSUMPTIONS = {
  /** Log data a service writes per month. */
  logGbPerServiceMonth: 1,
  /** Compressed size of one image in ECR. */
  imageGb: 0.2,
} as const;

/** What the stage declares that costs money every month. */
export interface CostInputs {
  readonly secrets: number;
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly logGroups: number;
  /** Images kept per repository (the lifecycle policy's keep-last-N). */
  readonly imagesKept: readonly number[];
}

/** The counts a resource adds to {@link CostInputs} (`imagesKept` adds one repository's). */
export type CostCounts = Partial<Omit<CostInputs, "imagesKept">> & { readonly imagesKept?: number };

/**
 * What one declared resource costs each month by itself, by resource type: the counts it adds to
 * the estimate, or `"free"`. Every type the program declares has an entry; a test fails when one
 * lacks it, so a new kind of resource is priced (or declared free) when it is added.
 */
export const COST_BY_KIND: Readonly<
  Record<string, "free" | ((inputs: Readonly<Record<string, unknown>>) => CostCounts)>
> = {
  "aws:secretsmanager/secret:Secret": () => ({ secrets: 1 }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": () => ({ alarms: 1 }),
  // A target tracking policy creates and bills two CloudWatch alarms (scale out, scale in).
  "aws:appautoscaling/policy:Policy": () => ({ alarms: 2 }),
  "aws:cloudwatch/logGroup:LogGroup": () => ({ logGroups: 1 }),
  // A repository's storage is what its lifecycle policy keeps.
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (inputs) => ({
    imagesKept: keptImages(inputs.policy),
  }),
  "aws:ecr/repository:Repository": "free",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "free",
  "aws:iam/role:Role": "free",
  "aws:iam/rolePolicy:RolePolicy": "free",
  "aws:iam/policy:Policy": "free",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "free",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": "free",
  "aws:iam/user:User": "free",
  "aws:iam/accessKey:AccessKey": "free",
  "aws:secretsmanager/secretVersion:SecretVersion": "free",
  // Fargate compute is usage, outside the fixed estimate; clusters and definitions are free.
  "aws:ecs/cluster:Cluster": "free",
  "aws:ecs/taskDefinition:TaskDefinition": "free",
  "aws:ecs/service:Service": "free",
  // SNS e-mail notifications: the first 1,000 a month are free.
  "aws:sns/topic:Topic": "free",
  "aws:sns/topicSubscription:TopicSubscription": "free",
  "aws:sns/topicPolicy:TopicPolicy": "free",
  // Application Auto Scaling has no charge of its own.
  "aws:appautoscaling/target:Target": "free",
  // AWS service events on the default bus, CloudTrail's read-only ones included, cost nothing.
  "aws:cloudwatch/eventRule:EventRule": "free",
  "aws:cloudwatch/eventTarget:EventTarget": "free",
  "random:index/randomPassword:RandomPassword": "free",
  "github:index/repositoryEnvironment:RepositoryEnvironment": "free",
  "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy":
    "free",
  "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": "free",
  "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": "free",
  "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate":
    "free",
  "github:index/repositoryFile:RepositoryFile": "free",
  "github:index/repositoryRuleset:RepositoryRuleset": "free",
  "github:index/actionsSecret:ActionsSecret": "free",
  "github:index/actionsVariable:ActionsVariable": "free",
};

/** The keep-last-N of a lifecycle policy given as JSON text (its `any` rule), else 0. */
function keptImages(policy: unknown): number {
  if (typeof policy !== "string") return 0;
  const doc = JSON.parse(policy) as {
    rules?: { selection?: { tagStatus?: string; countNumber?: number } }[];
  };
  return doc.rules?.find((r) => r.selection?.tagStatus === "any")?.selection?.countNumber ?? 0;
}

/** Adds up what the declared resources cost, by type; types without an entry throw. */
export function costInputsOf(
  resources: readonly {
    readonly type: string;
    readonly inputs: Readonly<Record<string, unknown>>;
  }[],
): CostInputs {
  const total = { secrets: 0, kmsKeys: 0, alarms: 0, logGroups: 0, imagesKept: [] as number[] };
  for (const r of resources) {
    const rule = COST_BY_KIND[r.type];
    if (rule === undefined) {
      throw new Error(
        `lib/cost.ts has no COST_BY_KIND entry for ${r.type}; price it or mark it free`,
      );
    }
    if (rule === "free") continue;
    const counts = rule(r.inputs);
    total.secrets += counts.secrets ?? 0;
    total.kmsKeys += counts.kmsKeys ?? 0;
    total.alarms += counts.alarms ?? 0;
    total.logGroups += counts.logGroups ?? 0;
    if (counts.imagesKept !== undefined) total.imagesKept.push(counts.imagesKept);
  }
  return total;
}

/** One line of the estimate. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The estimate, line by line; the total is the sum of `monthly`. */
export function estimateMonthlyCost(c: CostInputs): CostLine[] {
  const images = c.imagesKept.reduce((a, b) => a + b, 0);
  const logGb = c.logGroups * ASSUMPTIONS.logGbPerServiceMonth;
  const lines: Omit<CostLine, "monthly">[] = [
    {
      item: "Secrets Manager secrets",
      quantity: c.secrets,
      unit: "secret",
      unitPrice: PRICES.secret,
    },
    {
      item: "KMS keys created by the stage",
      quantity: c.kmsKeys,
      unit: "key",
      unitPrice: PRICES.kmsKey,
    },
    {
      item: "CloudWatch alarms",
      quantity: c.alarms,
      unit: "alarm",
      unitPrice: PRICES.alarm,
    },
    {
      item: `Log ingestion (assumes ${ASSUMPTIONS.logGbPerServiceMonth} GB per service)`,
      quantity: logGb,
      unit: "GB",
      unitPrice: PRICES.logIngestionPerGb,
    },
    {
      item: `Log storage (assumes ${ASSUMPTIONS.logGbPerServiceMonth} GB kept per service)`,
      quantity: logGb,
      unit: "GB",
      unitPrice: PRICES.logStoragePerGb,
    },
    {
      item: `ECR storage (images kept by the lifecycle policies x ${ASSUMPTIONS.imageGb} GB)`,
      quantity: round(images * ASSUMPTIONS.imageGb),
      unit: "GB",
      unitPrice: PRICES.ecrStoragePerGb,
    },
  ];
  return lines.map((l) => ({ ...l, monthly: round(l.quantity * l.unitPrice) }));
}

/** Sum of the lines, rounded to cents. */
export function totalMonthlyCost(lines: readonly CostLine[]): number {
  return round(lines.reduce((a, l) => a + l.monthly, 0));
}
