/** The account's GitHub OIDC provider: an ARN only where it is looked up. */
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const oidcRules: readonly Rule[] = [
  rule(["oidc"], (c) =>
    c.oidc.mode === "create" && c.oidc.arn !== undefined
      ? [
          `${PROJECT}:oidc.arn: only used with mode "existing". Fix: remove arn, or set mode: existing`,
        ]
      : [],
  ),
];
