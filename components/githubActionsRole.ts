import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { policyNameOf } from "../lib/arns";
import { RepositoryRef, Subject, SubjectFormat, githubTrustPolicy } from "../lib/subjects";
import { RenderedPolicies, declareRolePolicies } from "./policies";

/** Arguments of {@link GithubActionsRole}. */
export interface GithubActionsRoleArgs {
  /**
   * Physical role name.
   * @example "shop-staging-deploy"
   */
  readonly roleName: string;
  /** What the role is for, shown in IAM (at most 1,000 characters). */
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider. */
  readonly providerArn: pulumi.Input<string>;
  /** The one repository whose workflows may assume the role. */
  readonly repo: RepositoryRef;
  /**
   * What the token must be for. Never empty; exact subjects are matched with StringEquals and
   * patterns with StringLike.
   * @see https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims
   */
  readonly subjects: readonly Subject[];
  /**
   * How GitHub writes `sub` for the repository (names or immutable ids, customized claim keys);
   * the trust policy is rendered to match.
   * @default GitHub's default: `repo:<owner>/<repo>:<context>`
   */
  readonly subjectFormat?: SubjectFormat;
  /**
   * Longest session a workflow can request, in seconds (3600 to 43200; the config's default is
   * 3600).
   */
  readonly maxSessionDuration: number;
  /**
   * Permissions boundary policy ARN, when the account requires one for CI roles.
   * @example "arn:aws:iam::123456789012:policy/ci-boundary"
   */
  readonly permissionsBoundary?: string;
  /**
   * The role's permissions, laid out by the stage's access model (`stacks/access.ts`): one inline
   * policy per grant while they fit IAM's inline quota, customer-managed policies past it.
   */
  readonly policies: RenderedPolicies;
  /** Policies attached as they are (customer-managed, or AWS-managed but not admin-class). */
  readonly attachedPolicyArns?: readonly string[];
}

/**
 * An IAM role that GitHub Actions workflows of one repository assume through OIDC
 * (`sts:AssumeRoleWithWebIdentity`), with `aud` and `sub` checked, and permissions composed from
 * named grants. The stage's deploy role is one; read-only preview and publishing roles are others.
 */
export class GithubActionsRole extends pulumi.ComponentResource {
  readonly role: iam.Role;
  readonly arn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  /** The trust policy as IAM receives it. */
  readonly trustPolicy: pulumi.Output<string>;

  constructor(name: string, args: GithubActionsRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:GithubActionsRole", name, {}, opts);
    if (args.maxSessionDuration < 3600 || args.maxSessionDuration > 43200) {
      throw new Error(
        `GithubActionsRole ${name}: maxSessionDuration must be 3600 to 43200 seconds, got ${args.maxSessionDuration}`,
      );
    }
    this.trustPolicy = pulumi.output(args.providerArn).apply((providerArn) =>
      JSON.stringify(
        githubTrustPolicy({
          providerArn,
          repo: args.repo,
          subjects: args.subjects,
          format: args.subjectFormat,
        }),
      ),
    );
    this.role = new iam.Role(
      name,
      {
        name: args.roleName,
        description: args.description,
        assumeRolePolicy: this.trustPolicy,
        maxSessionDuration: args.maxSessionDuration,
        permissionsBoundary: args.permissionsBoundary,
      },
      { parent: this },
    );
    declareRolePolicies(name, this.role, args.policies, this);
    for (const policyArn of args.attachedPolicyArns ?? []) {
      // Keyed by the policy's name, which config keeps unique per role.
      new iam.RolePolicyAttachment(
        `${name}-attached/${policyNameOf(policyArn)}`,
        { role: this.role.name, policyArn },
        { parent: this },
      );
    }
    this.arn = this.role.arn;
    this.roleName = this.role.name;
    this.registerOutputs({ arn: this.arn, roleName: this.roleName, trustPolicy: this.trustPolicy });
  }
}
