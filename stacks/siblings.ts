/**
 * The namespaces of the project's other stacks: the physical names and the ARNs in config of
 * each stack of another stage, read from its stack file with the same schema and names table.
 * Nothing of them is trusted: a stack file that does not parse contributes what did.
 */
import { STAGES, StageName } from "../lib/naming";
import { isObject } from "../lib/json";
import { NAME_SECTIONS, NameEntry, awsNameEntries, stageNames } from "./names";
import { parseConfig } from "./parse";
import { PROJECT, deliveryValues, parseConfigValue } from "./project";
import { ARN_SECTIONS, configArns } from "./rules/accounts";
import { DeliveryConfig, stageSchema } from "./schema";

/** What another stack of the project holds, of another stage. */
export interface SiblingStack {
  readonly stack: string;
  readonly stage: StageName;
  readonly names: readonly NameEntry[];
  readonly arns: readonly string[];
  /** What it declares shared with which stack (`delivery:shared`). */
  readonly shared: readonly { readonly resource: string; readonly with: string }[];
}

/** A stack's config as Pulumi hands it to the program (see `load.ts`). */
interface StackConfig {
  readonly stack: string;
  readonly values: Readonly<Record<string, string>>;
}

/** A sibling's `aws:allowedAccountIds`, when it lists them. */
function accountsOf(s: StackConfig): string[] | undefined {
  const accounts = parseConfigValue(s.values["aws:allowedAccountIds"] ?? "");
  return Array.isArray(accounts) ? accounts.map((a) => String(a)) : undefined;
}

/** The stage a sibling stack is of: its `delivery:stage`, else its name. */
function stageOf(s: StackConfig): StageName | undefined {
  const configured = s.values[`${PROJECT}:stage`] ?? s.stack;
  return (STAGES as readonly string[]).includes(configured) ? (configured as StageName) : undefined;
}

/** The namespaces of the stacks of other stages than `stage`. */
export function siblingNamespaces(
  siblings: readonly StackConfig[],
  stage: StageName,
): SiblingStack[] {
  return siblings.flatMap((s) => {
    const siblingStage = stageOf(s);
    if (!siblingStage || siblingStage === stage) return [];
    const raw = deliveryValues(s.values);
    const parsed = parseConfig(stageSchema(siblingStage), raw, new Set());
    const c = parsed.config as DeliveryConfig;
    const has = (...sections: (keyof DeliveryConfig)[]) =>
      sections.every((x) => parsed.sections.has(x));
    const names = has(...NAME_SECTIONS)
      ? awsNameEntries(
          c,
          stageNames(c, { stack: s.stack, stage: siblingStage, accounts: accountsOf(s) }),
        )
      : [];
    const arns = has(...ARN_SECTIONS)
      ? configArns(c).flatMap((a) => (a.reaches ? [a.arn] : []))
      : [];
    const shared = Array.isArray(raw.shared)
      ? raw.shared
          .filter(isObject)
          .flatMap((x) =>
            typeof x.resource === "string" && typeof x.with === "string"
              ? [{ resource: x.resource, with: x.with }]
              : [],
          )
      : [];
    return [{ stack: s.stack, stage: siblingStage, names, arns, shared }];
  });
}

/**
 * The project's other stacks (of any stage) that create the GitHub OIDC provider, with the
 * accounts their `aws:allowedAccountIds` name: two stacks creating it in one account collide
 * (IAM allows one provider per URL and account: EntityAlreadyExists).
 */
export function oidcCreators(
  siblings: readonly StackConfig[],
): { readonly stack: string; readonly accounts: readonly string[] }[] {
  return siblings.flatMap((s) => {
    const oidc = parseConfigValue(s.values[`${PROJECT}:oidc`] ?? "");
    const accounts = accountsOf(s);
    if (!isObject(oidc) || oidc.mode !== "create" || !accounts) return [];
    return [{ stack: s.stack, accounts }];
  });
}
