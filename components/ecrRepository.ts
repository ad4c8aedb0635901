import * as ecr from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
import { lifecycleRules } from "../lib/ecrLifecycle";
import { adoption } from "./adoption";

/** Arguments of {@link EcrRepository}. */
export interface EcrRepositoryArgs {
  /**
   * Physical repository name.
   * @example "shop-prod-backend"
   */
  readonly repositoryName: string;
  /**
   * `IMMUTABLE` refuses pushing a tag twice, so a deployed tag always means one image (Security Hub ECR.2).
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
   */
  readonly imageTagMutability: "MUTABLE" | "IMMUTABLE";
  /**
   * With immutable tags, the one tag that may move (the stack's name, `prod`): the repository is
   * `IMMUTABLE_WITH_EXCLUSION` with this literal as its only exclusion filter.
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html
   */
  readonly movingTag?: string;
  /** Scan every pushed image for vulnerabilities (Security Hub ECR.1). */
  readonly scanOnPush: boolean;
  /** Untagged images are expired this many days after push. */
  readonly untaggedExpiryDays: number;
  /** Only the newest this many images are kept. */
  readonly keepLastImages: number;
  /** Encrypt with this customer-managed KMS key instead of AES256. */
  readonly kmsKeyArn?: string;
  /** Let `pulumi destroy` delete the repository with its images (staging only). */
  readonly forceDelete: boolean;
  /** `protect` the repository against deletion (prod). */
  readonly protect: boolean;
  /**
   * Name of an existing repository to take over instead of creating one (Pulumi `import`). An
   * adopted repository is kept if the stack is destroyed.
   * @see https://www.pulumi.com/docs/iac/concepts/options/import/
   */
  readonly adoptName?: string;
}

/**
 * One service's image repository: scan on push, tag mutability per stage, encryption, and a
 * lifecycle policy (`<name>-lifecycle`) that keeps storage cost bounded.
 */
export class EcrRepository extends pulumi.ComponentResource {
  readonly repository: ecr.Repository;
  readonly arn: pulumi.Output<string>;
  readonly repositoryName: pulumi.Output<string>;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, what `docker push` takes. */
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: EcrRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:EcrRepository", name, {}, opts);
    if (args.forceDelete && args.protect) {
      throw new Error(
        `EcrRepository ${name}: forceDelete and protect contradict each other; a protected repository is never force-deleted`,
      );
    }
    this.repository = new ecr.Repository(
      name,
      {
        name: args.repositoryName,
        ...(args.movingTag !== undefined && args.imageTagMutability === "IMMUTABLE"
          ? {
              imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
              // terraform-provider-aws ecr/repository.go: letters, digits and `._*-`, at most
              // 128 characters, at most 2 wildcards, filter type WILDCARD. A stack name fits.
              imageTagMutabilityExclusionFilters: [
                { filter: args.movingTag, filterType: "WILDCARD" },
              ],
            }
          : { imageTagMutability: args.imageTagMutability }),
        imageScanningConfiguration: { scanOnPush: args.scanOnPush },
        encryptionConfigurations: [
          args.kmsKeyArn
            ? { encryptionType: "KMS", kmsKey: args.kmsKeyArn }
            : { encryptionType: "AES256" },
        ],
        forceDelete: args.forceDelete,
      },
      { parent: this, protect: args.protect, ...adoption(args.adoptName) },
    );
    new ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: this.repository.name,
        policy: JSON.stringify(lifecycleRules(args.untaggedExpiryDays, args.keepLastImages)),
      },
      { parent: this },
    );
    this.arn = this.repository.arn;
    this.repositoryName = this.repository.name;
    this.repositoryUrl = this.repository.repositoryUrl;
    this.registerOutputs({
      arn: this.arn,
      repositoryName: this.repositoryName,
      repositoryUrl: this.repositoryUrl,
    });
  }
}
