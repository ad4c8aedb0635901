/**
 * The subjects every GitHub Actions role of the stage trusts, parsed once from the typed config:
 * the checks report what is refused, and the stage is built from what was accepted.
 */
import { StageName } from "../lib/naming";
import { byKey } from "../lib/order";
import { RepositoryRef, Subject, SubjectRules, parseSubject } from "../lib/subjects";
import { STAGE_DEFAULTS } from "./defaults";
import { PROJECT } from "./project";
import { DeliveryConfig } from "./schema";

/** The trust rules of a stage's roles. */
export function subjectRules(stage: StageName, allowPatterns: boolean): SubjectRules {
  return { allowPatterns, forbiddenEnvironments: [STAGE_DEFAULTS[stage].otherStageEnvironment] };
}

/** The repository an extra role trusts: its own `repository`, else the app's. */
export function trustedRepository(
  owner: string,
  c: Pick<DeliveryConfig, "github">,
  role: DeliveryConfig["roles"][string],
): RepositoryRef {
  return { owner, repository: role.repository ?? c.github.repository };
}

/** Parsed subjects of the deploy role and of each extra role, and what was refused. */
export interface Trust {
  /** The deploy role's configured subjects (its environment comes on top). */
  readonly deploy: readonly Subject[];
  /** Extra role key → its subjects. */
  readonly roles: Readonly<Record<string, readonly Subject[]>>;
  readonly problems: readonly string[];
}

/** Parses every configured subject once, against the repository each role trusts. */
export function parseTrust(
  c: Pick<DeliveryConfig, "github" | "deployRole" | "roles">,
  stage: StageName,
  owner: string,
): Trust {
  const problems: string[] = [];
  const parseAll = (
    subjects: readonly string[],
    repo: RepositoryRef,
    rules: SubjectRules,
    key: string,
  ): Subject[] =>
    subjects.flatMap((s, i) => {
      const result = parseSubject(s, repo, rules);
      if (result.ok) return [result.subject];
      problems.push(`${key}[${i}]: ${result.problem}`);
      return [];
    });
  const deploy = parseAll(
    c.deployRole.subjects,
    { owner, repository: c.github.repository },
    subjectRules(stage, c.deployRole.allowSubjectPatterns),
    `${PROJECT}:deployRole.subjects`,
  );
  const roles = Object.fromEntries(
    byKey(c.roles).map(([key, role]) => [
      key,
      parseAll(
        role.subjects,
        trustedRepository(owner, c, role),
        subjectRules(stage, role.allowSubjectPatterns),
        `${PROJECT}:roles.${key}.subjects`,
      ),
    ]),
  );
  return { deploy, roles, problems };
}
