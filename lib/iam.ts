/**
 * Typed IAM policy documents. Every policy the program writes is built from these types and
 * serialized with `JSON.stringify` inside an `apply`, never by string templates.
 */
import * as pulumi from "@pulumi/pulumi";

/** IAM condition operators a policy here may use (the program writes the String ones). */
export type ConditionOperator =
  "StringEquals" | "StringLike" | "ArnEquals" | "ArnLike" | "ArnLikeIfExists" | "Bool";

/** `{ Operator: { "context-key": value | values } }` */
export type Conditions = Partial<Record<ConditionOperator, Record<string, string | string[]>>>;

/** One statement of an identity or trust policy. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: {
    readonly Federated?: string;
    readonly Service?: string | string[];
    readonly AWS?: string | string[];
  };
  readonly Condition?: Conditions;
}

/** An IAM policy document, version 2012-10-17. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: Statement[];
}

/** Wraps statements into a document. */
export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Trust policy that lets an AWS service (e.g. `ecs-tasks.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(service: string, sourceAccount?: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      // Confused-deputy guard: only this account's use of the service may assume the role.
      ...(sourceAccount
        ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }
        : {}),
    },
  ]);
}

/**
 * An identity policy as the JSON text IAM receives. Refuses an empty statement list, which IAM
 * would reject anyway, with a message that names the policy.
 */
export function policyJson(
  name: string,
  statements: pulumi.Input<Statement[]>,
): pulumi.Output<string> {
  return pulumi.output(statements).apply((s) => {
    if (s.length === 0) throw new Error(`policy ${name} has no statements; drop the grant instead`);
    return JSON.stringify(policyDocument(s));
  });
}
