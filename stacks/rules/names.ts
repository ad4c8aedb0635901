/** Physical names AWS accepts: IAM role names are at most 64 characters. */
import { IAM_ROLE_NAME_MAX, resourceName } from "../../lib/naming";
import { PROJECT } from "../project";
import { Rule, rule } from "./rule";

export const nameRules: readonly Rule[] = [
  rule(["app"], (c, ctx) => {
    const problems: string[] = [];
    const tooLong = (part: string) =>
      resourceName(c.app, ctx.stack, part).length > IAM_ROLE_NAME_MAX;
    for (const svc of ctx.declared.services) {
      if (tooLong(`${svc}-execution`)) {
        problems.push(
          `${PROJECT}:services.${svc}: the role name ${resourceName(c.app, ctx.stack, `${svc}-execution`)} is over ${IAM_ROLE_NAME_MAX} characters. Fix: shorten the service name, delivery:app or the stack name`,
        );
      }
    }
    for (const role of ctx.declared.roles) {
      if (tooLong(role)) {
        problems.push(
          `${PROJECT}:roles.${role}: the role name is over ${IAM_ROLE_NAME_MAX} characters. Fix: shorten it`,
        );
      }
    }
    return problems;
  }),
];
