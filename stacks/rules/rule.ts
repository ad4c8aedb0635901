/**
 * A rule relates config keys to each other and to the real cloud. It runs on the typed,
 * defaulted sections it reads, and only when all of them parsed, so a rule never re-reads raw
 * config or re-applies a default. Each rule returns its problems, one line each:
 * `<full key>: <what is wrong>. Fix: <how>`.
 */
import { StageName } from "../../lib/naming";
import { DeclaredKeys } from "../parse";
import { DeliveryConfig, Section } from "../schema";
import type { Stage } from "../stage";

/** What rules know beyond `delivery:*`. */
export interface RuleContext {
  readonly stage: StageName;
  readonly stack: string;
  /** `github:owner`, when it is set and valid. */
  readonly owner?: string;
  /** `aws:region`, when it is set and valid. */
  readonly region?: string;
  /** `aws:allowedAccountIds`, when it is set and valid. */
  readonly allowedAccountIds?: readonly string[];
  /** The whole config map and which keys are secret. */
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
  /**
   * The keys of the map sections as written, parsed or not: a reference to a service whose own
   * settings are wrong is reported there, not as a reference to an undeclared service.
   */
  readonly declared: DeclaredKeys;
}

/** A rule over the sections it reads. */
export interface Rule {
  readonly reads: readonly Section[];
  readonly check: (config: DeliveryConfig, ctx: RuleContext) => string[];
}

/** Declares a rule; `check` sees exactly the sections listed in `reads`, typed. */
export function rule<K extends Section>(
  reads: readonly K[],
  check: (config: Pick<DeliveryConfig, K>, ctx: RuleContext) => string[],
): Rule {
  return { reads, check };
}

/** A rule over the whole built stage (its names, its region), once every section parsed. */
export type StageRule = (stage: Omit<Stage, "warnings">) => string[];

/** Runs every rule whose sections all parsed; returns their problems in rule order. */
export function runRules(
  rules: readonly Rule[],
  config: Partial<DeliveryConfig>,
  parsed: ReadonlySet<Section>,
  ctx: RuleContext,
): string[] {
  return rules
    .filter((r) => r.reads.every((section) => parsed.has(section)))
    .flatMap((r) => r.check(config as DeliveryConfig, ctx));
}
