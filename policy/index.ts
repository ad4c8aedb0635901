/**
 * The policy pack the Pulumi CLI runs: `pulumi preview --stack staging --policy-pack policy`.
 *
 * Constructing a PolicyPack reads `<cwd>/package.json` for the pack's version, starts the
 * analyzer's gRPC server and prints its port for the CLI; the process then lives until the CLI
 * ends it. So this file only constructs the pack, and nothing imports it: tests and the offline
 * plan run the same policies through `./run`.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  policies,
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  description:
    "The delivery product's security bar: GitHub OIDC trust, least-privilege IAM, ECS task definitions, ECR and log groups.",
});
