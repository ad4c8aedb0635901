import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_OIDC_URL, STS_AUDIENCE } from "../lib/subjects";
import { adoption } from "./adoption";

/** Arguments of {@link GithubOidcProvider}. */
export interface GithubOidcProviderArgs {
  /**
   * `create`: this stack owns the account's GitHub OIDC provider. `existing`: another stack (or a
   * person) created it and this stack only looks it up. Exactly one stack per AWS account may
   * create it; a second one fails with `EntityAlreadyExists`.
   * @example "create"
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
   */
  readonly mode: "create" | "existing";
  /**
   * With `existing`: the provider's ARN. Without it the provider is looked up by GitHub's URL.
   * @example "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
   */
  readonly arn?: string;
  /** With `create`: ARN of a provider made by hand to take over (Pulumi `import`) instead of creating one. */
  readonly adoptArn?: string;
}

/**
 * The existing provider (by ARN, else by GitHub's URL), refused when it does not list the audience
 * this product's roles check.
 */
function withAudience(arn: string | undefined, parent: pulumi.Resource): pulumi.Output<string> {
  return iam
    .getOpenIdConnectProviderOutput(arn ? { arn } : { url: GITHUB_OIDC_URL }, { parent })
    .apply((p) => {
      if (!p.clientIdLists.includes(STS_AUDIENCE)) {
        throw new Error(
          `the GitHub OIDC provider ${p.arn} does not list the audience ${STS_AUDIENCE}; add it (aws iam add-client-id-to-open-id-connect-provider) or let one stack create the provider`,
        );
      }
      return p.arn;
    });
}

/**
 * The account-wide IAM OIDC identity provider for `https://token.actions.githubusercontent.com`
 * with audience `sts.amazonaws.com`: created, or resolved when it already exists. Either way it
 * exposes the ARN that trust policies name.
 */
export class GithubOidcProvider extends pulumi.ComponentResource {
  /** ARN of the provider, for the `Federated` principal of trust policies. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: GithubOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:GithubOidcProvider", name, {}, opts);
    if (args.mode === "create") {
      // No thumbprints: IAM verifies GitHub's certificate against its own trusted CAs.
      const provider = new iam.OpenIdConnectProvider(
        name,
        { url: GITHUB_OIDC_URL, clientIdLists: [STS_AUDIENCE] },
        {
          parent: this,
          // Other stacks in the account use this provider; destroying this stack must not break them.
          retainOnDelete: true,
          // An adopted provider may serve other tools' audiences: an import never rewrites them.
          ...adoption(args.adoptArn, ["clientIdLists", "thumbprintLists"]),
        },
      );
      this.arn = args.adoptArn
        ? // The adopted provider must already admit this product's audience, as a looked-up one must.
          pulumi.all([provider.arn, withAudience(args.adoptArn, this)]).apply(([arn]) => arn)
        : provider.arn;
    } else {
      this.arn = withAudience(args.arn, this);
    }
    this.registerOutputs({ arn: this.arn });
  }
}
