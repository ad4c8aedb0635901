import { ActionsEnvironmentSecret } from "@pulumi/github/actionsEnvironmentSecret";
import { ActionsEnvironmentVariable } from "@pulumi/github/actionsEnvironmentVariable";
import { ActionsSecret } from "@pulumi/github/actionsSecret";
import { ActionsVariable } from "@pulumi/github/actionsVariable";
import { ActionsRepositoryOidcSubjectClaimCustomizationTemplate } from "@pulumi/github/actionsRepositoryOidcSubjectClaimCustomizationTemplate";
import { RepositoryEnvironment } from "@pulumi/github/repositoryEnvironment";
import { RepositoryEnvironmentDeploymentPolicy } from "@pulumi/github/repositoryEnvironmentDeploymentPolicy";
import { RepositoryFile } from "@pulumi/github/repositoryFile";
import { RepositoryRuleset } from "@pulumi/github/repositoryRuleset";
import { getTeamOutput } from "@pulumi/github/getTeam";
import { getUserOutput } from "@pulumi/github/getUser";
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { BYPASS_ROLE_IDS } from "../lib/githubPlans";
import { ClaimKey } from "../lib/subjects";
import { FALLBACK_SECRETS } from "../lib/variables";
import { DeployRulesets, GithubSecretStage } from "../stacks/stage";
import { byKey } from "../lib/order";

/** Arguments of {@link GithubEnvironment}. */
export interface GithubEnvironmentArgs {
  /**
   * The app repository's name (the owner is the GitHub provider's).
   * @example "shop"
   */
  readonly repository: string;
  /**
   * The environment deploy jobs name (`environment: production`); the deploy role trusts exactly it.
   * @see https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments
   */
  readonly environment: string;
  /** Branch name patterns that may deploy through the environment, e.g. `main`. */
  readonly deployBranches: readonly string[];
  /** Tag name patterns that may deploy through the environment, e.g. `backend-v*`. */
  readonly deployTags: readonly string[];
  /** Required reviewers: GitHub user logins and team slugs, resolved to ids by data sources. */
  readonly reviewers: { readonly users: readonly string[]; readonly teams: readonly string[] };
  /** Whoever triggered a deployment may not approve it. */
  readonly preventSelfReview: boolean;
  /** Minutes to wait before a deployment proceeds. */
  readonly waitTimerMinutes: number;
  /** Repository admins may skip the protection rules. */
  readonly canAdminsBypass: boolean;
  /**
   * Repository rulesets on the deploy refs: who may create, move or delete a deploy tag, and pull
   * request review before a deploy branch changes.
   * @see https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/about-rulesets
   */
  readonly rulesets?: DeployRulesets;
  /**
   * The deploy role's ARN as an environment secret (`AWS_ROLE_ARN` unless
   * `deployRole.githubOutput` names another); none without services, or when it is a variable.
   */
  readonly roleArn?: { readonly secretName: string; readonly arn: pulumi.Input<string> };
  /** Further environment secrets: from encrypted config or generated. */
  readonly secrets: readonly GithubSecretStage[];
  /** Extra roles' ARNs as environment secrets (`roles.<key>.githubOutput`): name → ARN. */
  readonly roleArnSecrets?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Extra roles' ARNs written to the repository, for every workflow (`githubOutput.scope:
   * repository`; config refuses it for prod roles that may change anything).
   */
  readonly repositoryOutputs?: {
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
    readonly variables: Readonly<Record<string, pulumi.Input<string>>>;
  };
  /** Environment variables, written from the real resources (never typed by a person). */
  readonly variables: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * When set, this stack owns the repository's OIDC subject claim template with these keys.
   * @see https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
   */
  readonly subjectClaimKeys?: readonly ClaimKey[];
  /** Break-glass access key, written to the environment's secrets only while the fallback is on. */
  readonly fallbackCredentials?: {
    readonly accessKeyId: pulumi.Input<string>;
    readonly secretAccessKey: pulumi.Input<string>;
  };
  /**
   * Files to commit into the app repository's default branch (path → content): the generated
   * deploy workflows and the credential check they call.
   */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * The stage's GitHub environment on the app repository: who may deploy (branches, tags,
 * reviewers), and everything deploy jobs read (`AWS_ROLE_ARN`, app secrets, resource names).
 */
export class GithubEnvironment extends pulumi.ComponentResource {
  readonly environment: pulumi.Output<string>;
  /** Names of the environment's secrets (never their values). */
  readonly secretNames: string[];
  readonly variableNames: string[];

  constructor(name: string, args: GithubEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:github:GithubEnvironment", name, {}, opts);
    const repository = args.repository;
    const users = args.reviewers.users.map((username) =>
      getUserOutput({ username }, { parent: this }).id.apply(Number),
    );
    const teams = args.reviewers.teams.map((slug) =>
      getTeamOutput({ slug }, { parent: this }).id.apply(Number),
    );
    const hasReviewers = users.length + teams.length > 0;

    const env = new RepositoryEnvironment(
      name,
      {
        repository,
        environment: args.environment,
        waitTimer: args.waitTimerMinutes,
        preventSelfReview: args.preventSelfReview,
        canAdminsBypass: args.canAdminsBypass,
        reviewers: hasReviewers ? [{ users, teams }] : [],
        // Only the listed branches and tags may deploy; protected branches alone would admit more.
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      },
      { parent: this },
    );
    this.environment = env.environment;

    const policies = [
      ...args.deployBranches.map((branchPattern) => ({
        key: `branch-${branchPattern}`,
        branchPattern,
      })),
      ...args.deployTags.map((tagPattern) => ({ key: `tag-${tagPattern}`, tagPattern })),
    ];
    for (const { key, ...pattern } of policies) {
      new RepositoryEnvironmentDeploymentPolicy(
        `${name}-${key}`,
        { repository, environment: env.environment, ...pattern },
        { parent: this },
      );
    }

    if (args.rulesets) this.rulesets(name, repository, args.rulesets);

    const secretValues: Record<string, pulumi.Output<string>> = {};
    if (args.roleArn !== undefined) {
      secretValues[args.roleArn.secretName] = pulumi.output(args.roleArn.arn);
    }
    for (const [secretName, arn] of byKey(args.roleArnSecrets ?? {})) {
      secretValues[secretName] = pulumi.output(arn);
    }
    for (const [secretName, arn] of byKey(args.repositoryOutputs?.secrets ?? {})) {
      new ActionsSecret(
        `${name}-repository-${secretName}`,
        { repository, secretName, value: pulumi.secret(arn) },
        { parent: this },
      );
    }
    for (const [variableName, arn] of byKey(args.repositoryOutputs?.variables ?? {})) {
      new ActionsVariable(
        `${name}-repository-${variableName}`,
        { repository, variableName, value: arn },
        { parent: this },
      );
    }
    if (args.fallbackCredentials) {
      secretValues[FALLBACK_SECRETS.accessKeyId] = pulumi.output(
        args.fallbackCredentials.accessKeyId,
      );
      secretValues[FALLBACK_SECRETS.secretAccessKey] = pulumi.output(
        args.fallbackCredentials.secretAccessKey,
      );
    }
    for (const secret of args.secrets) {
      if (secret.source.kind === "config") {
        secretValues[secret.name] = secret.source.value;
      } else {
        secretValues[secret.name] = new RandomPassword(
          `${name}-${secret.name}`,
          {
            length: secret.source.length,
            special: secret.source.special,
            keepers: { rotation: String(secret.source.rotation) },
          },
          { parent: this },
        ).result;
      }
    }
    for (const [secretName, value] of Object.entries(secretValues)) {
      // The provider encrypts the value with the repository's public key before sending it.
      new ActionsEnvironmentSecret(
        `${name}-${secretName}`,
        { repository, environment: env.environment, secretName, value: pulumi.secret(value) },
        { parent: this },
      );
    }
    for (const [variableName, value] of Object.entries(args.variables)) {
      new ActionsEnvironmentVariable(
        `${name}-${variableName}`,
        { repository, environment: env.environment, variableName, value },
        { parent: this },
      );
    }
    for (const [file, content] of byKey(args.files ?? {})) {
      new RepositoryFile(
        `${name}-file-${file}`,
        {
          repository,
          file,
          content,
          commitMessage: `Update ${file} from the delivery program`,
          // The file is the program's: a hand-made copy is replaced on first run.
          overwriteOnCreate: true,
        },
        { parent: this },
      );
    }
    if (args.subjectClaimKeys) {
      new ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
        `${name}-subject-claims`,
        { repository, useDefault: false, includeClaimKeys: [...args.subjectClaimKeys] },
        { parent: this },
      );
    }
    this.secretNames = Object.keys(secretValues).sort();
    this.variableNames = Object.keys(args.variables).sort();
    this.registerOutputs({
      environment: this.environment,
      secretNames: this.secretNames,
      variableNames: this.variableNames,
    });
  }

  /** The deploy refs' rulesets; the bypass list's teams are resolved to ids by data sources. */
  private rulesets(name: string, repository: string, r: DeployRulesets): void {
    const bypassActors = [
      ...r.bypass.roles.map((role) => ({
        actorId: BYPASS_ROLE_IDS[role],
        actorType: "RepositoryRole",
        bypassMode: "always",
      })),
      ...r.bypass.teams.map((slug) => ({
        actorId: getTeamOutput({ slug }, { parent: this }).id.apply(Number),
        actorType: "Team",
        bypassMode: "always",
      })),
      ...r.bypass.apps.map((id) => ({
        actorId: id,
        actorType: "Integration",
        bypassMode: "always",
      })),
    ];
    if (r.tags) {
      // Only the bypass list may create, move or delete a tag that can deploy.
      new RepositoryRuleset(
        `${name}-ruleset-tags`,
        {
          name: r.tags.name,
          repository,
          target: "tag",
          enforcement: "active",
          conditions: {
            refName: { includes: r.tags.patterns.map((p) => `refs/tags/${p}`), excludes: [] },
          },
          bypassActors,
          rules: { creation: true, update: true, deletion: true },
        },
        { parent: this },
      );
    }
    if (r.branches) {
      // A deploy branch changes only through a reviewed pull request, and is never rewritten.
      new RepositoryRuleset(
        `${name}-ruleset-branches`,
        {
          name: r.branches.name,
          repository,
          target: "branch",
          enforcement: "active",
          conditions: {
            refName: {
              includes: r.branches.patterns.map((p) => `refs/heads/${p}`),
              excludes: [],
            },
          },
          bypassActors,
          rules: {
            deletion: true,
            nonFastForward: true,
            pullRequest: {
              requiredApprovingReviewCount: r.branches.requiredApprovals,
              dismissStaleReviewsOnPush: true,
              requireLastPushApproval: true,
            },
          },
        },
        { parent: this },
      );
    }
  }
}
