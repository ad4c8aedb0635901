/**
 * ARNs: their parts, the partition of a region, and the ARN formats of the resources the
 * program names in policies.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

/** The name of an IAM policy from its ARN: the last path segment (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` → `ViewOnlyAccess`). */
export function policyNameOf(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf("/") + 1);
}
