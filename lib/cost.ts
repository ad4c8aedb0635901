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
