/**
 * The policies of a role or user, as the stage's access model lays them out: inline policies
 * while they fit IAM's inline quota, customer-managed policies (attached) past it.
 */
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { ArnValues } from "../lib/arns";
import { policyJson } from "../lib/iam";
import { PlannedPolicy, PrincipalAccess, renderStatements } from "../stacks/access";

/** One policy with its document as IAM receives it. */
export interface RenderedPolicy {
  /** Stable suffix of the logical name: the grant (inline) or the position (managed). */
  readonly key: string;
  /** Physical name, from the names table. */
  readonly name: string;
  /** The policy document as IAM receives it (JSON text, every ARN filled in). */
  readonly document: pulumi.Output<string>;
}

/** A principal's policies, rendered. */
export interface RenderedPolicies {
  /** Inline policies, one per grant, while they fit IAM's inline quota. */
  readonly inline: readonly RenderedPolicy[];
  /** Customer-managed policies to attach, past it. */
  readonly managed: readonly RenderedPolicy[];
}

/** Renders a principal's planned policies once the account and the secrets' ARNs are known. */
export function renderPolicies(
  access: PrincipalAccess,
  values: pulumi.Output<ArnValues>,
): RenderedPolicies {
  const render = (p: PlannedPolicy): RenderedPolicy => ({
    key: p.key,
    name: p.name,
    document: policyJson(
      p.name,
      values.apply((v) => renderStatements(p.statements, v)),
    ),
  });
  return { inline: access.inline.map(render), managed: access.managed.map(render) };
}

/**
 * Declares a role's policies: `<name>-<key>` inline policies, and `<name>-managed-<key>`
 * customer-managed policies with their attachments.
 */
export function declareRolePolicies(
  name: string,
  role: iam.Role,
  policies: RenderedPolicies,
  parent: pulumi.Resource,
): void {
  for (const p of policies.inline) {
    new iam.RolePolicy(
      `${name}-${p.key}`,
      { name: p.name, role: role.name, policy: p.document },
      { parent },
    );
  }
  for (const p of policies.managed) {
    const policy = new iam.Policy(
      `${name}-managed-${p.key}`,
      { name: p.name, description: `Grants of ${name}, part ${p.key}`, policy: p.document },
      { parent },
    );
    new iam.RolePolicyAttachment(
      `${name}-managed-${p.key}`,
      { role: role.name, policyArn: policy.arn },
      { parent },
    );
  }
}
