/** Every rule of the config, in the order their problems are reported. */
import { adoptionRules } from "./adoption";
import { ecsRules } from "./ecs";
import { fallbackRules } from "./fallback";
import { githubEnvironmentRules } from "./githubEnvironment";
import { imageRules } from "./images";
import { oidcRules } from "./oidc";
import { roleRules } from "./roles";
import { Rule } from "./rule";
import { secretRules } from "./secrets";
import { serviceRules } from "./services";
import { tagRules } from "./tags";

export const RULES: readonly Rule[] = [
  ...serviceRules,
  ...secretRules,
  ...imageRules,
  ...tagRules,
  ...oidcRules,
  ...githubEnvironmentRules,
  ...roleRules,
  ...adoptionRules,
  ...ecsRules,
  ...fallbackRules,
];
