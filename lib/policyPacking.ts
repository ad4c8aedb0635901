/**
 * Fitting a principal's grants into IAM's policy quotas. A role keeps its grants as inline
 * policies, one per grant, while together they fit the inline quota; past it, every statement is
 * packed, in order, into as few customer-managed policies as the managed policy size allows,
 * splitting a statement's resource list where it must. The same statements always give the same
 * layout, and statements whose ARNs have the same lengths always give the same layout, so a layout
 * computed from the config (before any ARN is known) holds for the real ARNs.
 *
 * IAM counts policy size without white space; `JSON.stringify` writes none outside strings.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import { PolicyDocument, Statement, policyDocument } from "./iam";

/** IAM's aggregate size of a role's inline policies, not adjustable. */
export const ROLE_INLINE_POLICY_SIZE = 10_240;
/** IAM's aggregate size of a user's inline policies, not adjustable. */
export const USER_INLINE_POLICY_SIZE = 2_048;
/** IAM's size of one customer-managed policy, not adjustable. */
export const MANAGED_POLICY_SIZE = 6_144;

/** The size IAM counts for a policy document. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length;
}

/** One policy of a layout: its key (stable, for the logical name), and its statements. */
export interface PackedPolicy {
  readonly key: string;
  readonly statements: readonly Statement[];
}

/** Where a principal's statements go. */
export interface PolicyLayout {
  /** One inline policy per grant, keyed by the grant. */
  readonly inline: readonly PackedPolicy[];
  /** Customer-managed policies, keyed `1`, `2`, ... */
  readonly managed: readonly PackedPolicy[];
}

/** The quotas a layout must respect. */
export interface PackingLimits {
  /** Room for inline policies: the role's (or user's) aggregate quota; 0 packs all into managed. */
  readonly inlineSize: number;
  readonly managedSize: number;
}

const withResources = (s: Statement, resources: readonly string[], part: number): Statement => ({
  ...s,
  ...(s.Sid !== undefined && part > 1 ? { Sid: `${s.Sid}${part}` } : {}),
  Resource: [...resources],
});

const resourcesOf = (s: Statement): string[] =>
  s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource];

/**
 * Lays out grants (grant key → statements). `size` is what IAM would count for a document; the
 * default counts it as given (pass one that renders templates first to size them as real ARNs).
 * Throws when one statement with a single resource does not fit an empty managed policy, which
 * no config of this product produces.
 */
export function packPolicies(
  grants: Readonly<Record<string, readonly Statement[]>>,
  limits: PackingLimits,
  size: (doc: PolicyDocument) => number = policySize,
): PolicyLayout {
  const keys = Object.keys(grants)
    .filter((k) => grants[k].length > 0)
    .sort();
  const inlineTotal = keys.reduce((sum, k) => sum + size(policyDocument([...grants[k]])), 0);
  if (inlineTotal <= limits.inlineSize) {
    return { inline: keys.map((key) => ({ key, statements: grants[key] })), managed: [] };
  }

  const policies: Statement[][] = [];
  let current: Statement[] = [];
  const fits = (statements: Statement[]) => size(policyDocument(statements)) <= limits.managedSize;
  const close = () => {
    if (current.length > 0) policies.push(current);
    current = [];
  };
  for (const statement of keys.flatMap((k) => grants[k])) {
    if (fits([...current, statement])) {
      current.push(statement);
      continue;
    }
    const resources = resourcesOf(statement);
    let rest = resources;
    let part = 1;
    while (rest.length > 0) {
      // The most resources of the rest that still fit beside what the policy holds.
      let low = 0;
      let high = rest.length;
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (fits([...current, withResources(statement, rest.slice(0, mid), part)])) low = mid;
        else high = mid - 1;
      }
      if (low === 0) {
        if (current.length === 0) {
          throw new Error(
            `packPolicies: statement ${statement.Sid ?? "(no Sid)"} does not fit a managed policy even with one resource`,
          );
        }
        close();
        continue;
      }
      current.push(withResources(statement, rest.slice(0, low), part));
      rest = rest.slice(low);
      part += 1;
      if (rest.length > 0) close();
    }
  }
  close();
  return {
    inline: [],
    managed: policies.map((statements, i) => ({ key: String(i + 1), statements })),
  };
}
