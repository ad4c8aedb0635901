/**
 * Stage isolation: no name or ARN of a stage falls in another stage's namespace. The other
 * stage's namespace is what its stack files in the project produce (their names table and the
 * ARNs in their config), and, with or without them, whatever is named after the other stage's
 * standard stack (`<app>-prod-…`, `<app>/prod/…` from staging). A resource the two stages share
 * on purpose (one ECR repository, say) is declared on both sides (`delivery:shared`).
 */
import { NAMESPACES, NameEntry } from "../names";
import { PROJECT } from "../project";
import { StageName } from "../../lib/naming";
import type { SiblingStack } from "../siblings";

/** What the isolation check needs of the stage. */
export interface IsolationInput {
  readonly app: string;
  readonly stack: string;
  readonly stage: StageName;
  readonly names: readonly NameEntry[];
  readonly arns: readonly { readonly key: string; readonly arn: string }[];
  readonly shared: readonly { readonly resource: string; readonly with: string }[];
  readonly siblings: readonly SiblingStack[];
}

/** The other stage's standard stack name (`prod` for staging, `staging` for prod). */
const otherStandardStack = (stage: StageName): string => (stage === "staging" ? "prod" : "staging");

export function isolationProblems(i: IsolationInput): string[] {
  const problems: string[] = [];
  const isShared = (resource: string, stack: string) =>
    i.shared.some((s) => s.resource === resource && s.with === stack);
  const other = otherStandardStack(i.stage);
  const conventional = (text: string) =>
    text.includes(`${i.app}-${other}-`) ||
    text.includes(`${i.app}/${other}/`) ||
    text === `${i.app}-${other}` ||
    text.endsWith(`/${i.app}-${other}`);
  const fix = (resource: string, stack: string) =>
    `Fix: use this stage's own, or, to share it on purpose, declare it in both stacks' delivery:shared ([{ resource: "${resource}", with: ${stack} }] here)`;

  for (const entry of i.names) {
    const rule = NAMESPACES[entry.namespace];
    const same = (n: NameEntry) =>
      n.namespace === entry.namespace &&
      (n.scope ?? "") === (entry.scope ?? "") &&
      (rule.ignoresCase
        ? n.name.toLowerCase() === entry.name.toLowerCase()
        : n.name === entry.name);
    const sibling = i.siblings.find((s) => s.names.some(same));
    if (sibling && !isShared(entry.name, sibling.stack)) {
      const theirs = sibling.names.find(same);
      problems.push(
        `${entry.key}: ${entry.owner} would be "${entry.name}", which is ${theirs?.owner ?? "a resource"} of stack ${sibling.stack} (the ${sibling.stage} stage); one stage never reaches another's. ${fix(entry.name, sibling.stack)}`,
      );
    } else if (!sibling && conventional(entry.name) && !isShared(entry.name, other)) {
      problems.push(
        `${entry.key}: ${entry.owner} would be "${entry.name}", named like a resource of the other stage's stack ${other}; one stage never reaches another's. ${fix(entry.name, other)}`,
      );
    }
  }
  for (const { key, arn } of i.arns) {
    const sibling = i.siblings.find((s) => s.arns.includes(arn));
    if (sibling && !isShared(arn, sibling.stack)) {
      problems.push(
        `${key}: the ARN is also in the config of stack ${sibling.stack} (the ${sibling.stage} stage); one stage never reaches another's resources. ${fix(arn, sibling.stack)}`,
      );
    } else if (!sibling && conventional(arn) && !isShared(arn, other)) {
      problems.push(
        `${key}: the ARN names a resource of the other stage (stack ${other}); one stage never reaches another's resources. ${fix(arn, other)}`,
      );
    }
  }
  const own = new Set([...i.names.map((n) => n.name), ...i.arns.map((a) => a.arn)]);
  i.shared.forEach((s, index) => {
    const key = `${PROJECT}:shared[${index}]`;
    if (!own.has(s.resource)) {
      problems.push(
        `${key}: "${s.resource}" is no name or ARN of this stage, so there is nothing to share. Fix: remove it, or give the resource's exact physical name or ARN`,
      );
    }
    const sibling = i.siblings.find((x) => x.stack === s.with);
    if (sibling && !sibling.shared.some((x) => x.resource === s.resource && x.with === i.stack)) {
      problems.push(
        `${key}: stack ${s.with} does not declare "${s.resource}" shared with ${i.stack}; sharing takes both sides. Fix: add { resource: "${s.resource}", with: ${i.stack} } to its delivery:shared`,
      );
    }
  });
  return problems;
}
