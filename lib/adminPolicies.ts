/**
 * AWS-managed policies that grant administrator access, or a direct path to it. Refused on every
 * role the product makes (CI roles and task roles) and flagged by the policy pack. From a scan of
 * every AWS-managed policy's default version (statements allowing `*`, `iam:*`, `NotAction` on
 * `*`, or IAM writes on `*`), cross-checked with the AWS Managed Policy Reference.
 *
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html
 */
export const ADMIN_CLASS_POLICIES: Readonly<Record<string, string>> = {
  AdministratorAccess: "allows every action on every resource",
  PowerUserAccess: "allows every action except IAM, Organizations and Account management",
  IAMFullAccess: "allows every IAM action, so its holder can grant itself anything",
  "AdministratorAccess-Amplify": "creates roles and attaches any policy to them",
  "AdministratorAccess-AWSElasticBeanstalk": "passes any role to EC2 and ECS",
  AWSMcpServiceActionsFullAccess: "allows every action made through the AWS MCP service",
  AWSOpsWorksRegisterCLI: "creates IAM users and access keys with any policy",
};

/** Why an AWS-managed policy ARN is admin-class, or undefined for any other policy ARN. */
export function adminClassReason(policyArn: string): string | undefined {
  const match = /^arn:aws(?:-[a-z]+)*:iam::aws:policy\/(?:.+\/)?([^/]+)$/.exec(policyArn);
  return match ? ADMIN_CLASS_POLICIES[match[1]] : undefined;
}
