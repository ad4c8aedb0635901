/**
 * ECR lifecycle policy: expire untagged images after N days, keep the newest M images.
 *
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */

/** One lifecycle rule, as ECR expects it. */
export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description: string;
  readonly selection: {
    readonly tagStatus: "untagged" | "any";
    readonly countType: "sinceImagePushed" | "imageCountMoreThan";
    readonly countUnit?: "days";
    readonly countNumber: number;
  };
  readonly action: { readonly type: "expire" };
}

/** The rules, in priority order. The `any` rule must have the lowest priority (highest number). */
export function lifecycleRules(
  untaggedExpiryDays: number,
  keepLastImages: number,
): { rules: LifecycleRule[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: untaggedExpiryDays,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep only the newest ${keepLastImages} images`,
        selection: {
          tagStatus: "any",
          countType: "imageCountMoreThan",
          countNumber: keepLastImages,
        },
        action: { type: "expire" },
      },
    ],
  };
}
