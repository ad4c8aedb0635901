/**
 * One account, one region: every ARN config gives is in the stack's partition and region (for
 * regional resources) and in one account, the one `aws:allowedAccountIds` names when it is set.
 * That account then guards the stack: the AWS provider refuses credentials of any other account
 * before anything is created (`allowedAccountIds`).
 */
import { ArnParts, partitionOf, parseArn } from "../../lib/arns";
import { byKey } from "../../lib/order";
import { PROJECT } from "../project";
import { DeliveryConfig, Section } from "../schema";
import { taskServiceEntries } from "../stage";
import { Rule, rule } from "./rule";

/** An ARN from config and the key it is at. */
interface ConfigArn {
  readonly key: string;
  readonly arn: string;
  /** The resource lives in a region (not IAM's global resources). */
  readonly regional: boolean;
  /**
   * The stage reaches the resource through it (a key, a target group, a secret, a policy it
   * attaches): such a resource belongs to one stage. Account-wide ones (the OIDC provider,
   * permissions boundaries, AWS-managed policies) are shared by every stage.
   */
  readonly reaches: boolean;
}

/** The sections config ARNs come from. */
export const ARN_SECTIONS = [
  "ecr",
  "secretSettings",
  "services",
  "deployRole",
  "roles",
  "oidc",
  "adopt",
] as const satisfies readonly Section[];

type ArnSections = Pick<DeliveryConfig, (typeof ARN_SECTIONS)[number]>;

/** Every ARN in these sections, with its key (AWS-managed policies' account is `aws`). */
export function configArns(c: ArnSections): ConfigArn[] {
  const arns: ConfigArn[] = [];
  const add = (key: string, arn: string | undefined, regional: boolean, reaches: boolean) => {
    if (arn !== undefined) arns.push({ key: `${PROJECT}:${key}`, arn, regional, reaches });
  };
  add("ecr.kmsKeyArn", c.ecr.kmsKeyArn, true, true);
  add("secretSettings.kmsKeyArn", c.secretSettings.kmsKeyArn, true, true);
  add("deployRole.permissionsBoundary", c.deployRole.permissionsBoundary, false, false);
  add("oidc.arn", c.oidc.arn, false, false);
  add("adopt.oidcProvider", c.adopt.oidcProvider, false, false);
  for (const [svc, s] of taskServiceEntries(c.services)) {
    add(`services.${svc}.targetGroupArn`, s.targetGroupArn, true, true);
    add(`services.${svc}.executionRoleArn`, s.executionRoleArn, false, true);
    add(`services.${svc}.taskRoleArn`, s.taskRoleArn, false, true);
    s.taskRolePolicyArns.forEach((arn, i) =>
      add(`services.${svc}.taskRolePolicyArns[${i}]`, arn, false, parseArn(arn)?.account !== "aws"),
    );
  }
  const attached = (key: string, list: readonly string[]) =>
    list.forEach((arn, i) => add(`${key}[${i}]`, arn, false, parseArn(arn)?.account !== "aws"));
  for (const [role, r] of byKey(c.roles)) {
    add(`roles.${role}.permissionsBoundary`, r.permissionsBoundary, false, false);
    attached(`roles.${role}.grants.managedPolicyArns`, r.grants.managedPolicyArns);
  }
  attached("deployRole.grants.managedPolicyArns", c.deployRole.grants.managedPolicyArns);
  for (const [secret, arn] of byKey(c.adopt.secrets)) {
    add(`adopt.secrets.${secret}`, arn, true, true);
  }
  return arns;
}

/** The account the config's ARNs name, when they name one: `aws:allowedAccountIds` wins. */
export function expectedAccounts(
  c: ArnSections,
  allowedAccountIds: readonly string[] | undefined,
): readonly string[] | undefined {
  if (allowedAccountIds !== undefined) return allowedAccountIds;
  const first = configArns(c)
    .map((a) => parseArn(a.arn))
    .find((p): p is ArnParts => p !== undefined && /^\d{12}$/.test(p.account));
  return first ? [first.account] : undefined;
}

export const accountRules: readonly Rule[] = [
  rule(ARN_SECTIONS, (c, ctx) => {
    if (!ctx.region) return [];
    const problems: string[] = [];
    const partition = partitionOf(ctx.region);
    let account = ctx.allowedAccountIds;
    let accountFrom = "aws:allowedAccountIds";
    for (const { key, arn, regional } of configArns(c)) {
      const parts = parseArn(arn);
      if (!parts) continue; // the schema reported it
      if (parts.partition !== partition) {
        problems.push(
          `${key}: the ARN is in partition ${parts.partition}, but aws:region ${ctx.region} is in ${partition}. Fix: use the ARN of a resource in ${ctx.region}`,
        );
      }
      if (regional && parts.region !== ctx.region) {
        problems.push(
          `${key}: the ARN is in region ${parts.region}, but the stack runs in ${ctx.region} (aws:region); AWS refuses a resource of another region here. Fix: use the ARN of a resource in ${ctx.region}`,
        );
      }
      // AWS-managed policies: only their partition is the stack's business.
      if (parts.account === "aws") continue;
      if (account === undefined) {
        account = [parts.account];
        accountFrom = key;
      } else if (!account.includes(parts.account)) {
        problems.push(
          `${key}: the ARN is in account ${parts.account}, but ${accountFrom} names ${account.join(", ")}; a stack works in one account. Fix: use the ARN of a resource in ${account.join(" or ")}`,
        );
      }
    }
    return problems;
  }),
];
