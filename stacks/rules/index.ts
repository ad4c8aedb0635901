/** Every rule of the config, in the order their problems are reported. */
import { accountRules } from "./accounts";
import { adoptionRules } from "./adoption";
import { ecsRules } from "./ecs";
import { exposedRoleRules, roleOutputRules } from "./exposedRoles";
import { fallbackRules } from "./fallback";
import {
  deployRefRules,
  githubEnvironmentRules,
  githubEnvironmentStageRules,
} from "./githubEnvironment";
import { githubPlanRules } from "./githubPlan";
import { imageRules, imageStageRules } from "./images";
import { oidcRules } from "./oidc";
import { deployRoleGrantRules, roleRules } from "./roles";
import { Rule, StageRule } from "./rule";
import { secretRules } from "./secrets";
import { autoscalingRules, serviceRules } from "./services";

export const RULES: readonly Rule[] = [
  ...serviceRules,
  ...autoscalingRules,
  ...secretRules,
  ...imageRules,
  ...oidcRules,
  ...githubEnvironmentRules,
  ...deployRefRules,
  ...githubPlanRules,
  ...roleRules,
  ...deployRoleGrantRules,
  ...adoptionRules,
  ...ecsRules,
  ...fallbackRules,
  ...accountRules,
];

/** Rules over the built stage, after every section passed its rules. */
export const STAGE_RULES: readonly StageRule[] = [
  ...imageStageRules,
  ...githubEnvironmentStageRules,
  ...exposedRoleRules,
  ...roleOutputRules,
];
