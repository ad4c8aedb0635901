import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { SecretSource } from "../stacks/stage";
import { adoption } from "./adoption";

/** Text of the placeholder version an `external` secret starts with. */
export const EXTERNAL_PLACEHOLDER =
  "PLACEHOLDER: set this secret's value out of band; Pulumi never overwrites it";

/** Arguments of {@link RuntimeSecret}. */
export interface RuntimeSecretArgs {
  /**
   * Secrets Manager name.
   * @example "shop/prod/jwt-secret"
   */
  readonly secretName: string;
  /** Secrets Manager description (an adopted secret's own, so the import matches it). */
  readonly description: string;
  /**
   * Where the value comes from: `generated` (random, stable until `rotation` changes), `config`
   * (an encrypted stack config value) or `external` (set out of band, never overwritten).
   */
  readonly source: SecretSource;
  /**
   * Days a deleted secret can still be restored; 0 deletes at once (staging only).
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html
   */
  readonly recoveryWindowDays: number;
  /** Customer-managed KMS key that encrypts the secret; AWS's `aws/secretsmanager` key otherwise. */
  readonly kmsKeyArn?: string;
  /** `protect` the secret against deletion (prod). */
  readonly protect: boolean;
  /** ARN of an existing secret to take over (Pulumi `import`); kept if the stack is destroyed. */
  readonly adoptArn?: string;
}

/**
 * One Secrets Manager secret with its value in place before any task reads it, except an
 * `external` secret without a placeholder, whose value is set outside the program. The value is
 * a Pulumi secret from end to end; only the ARN leaves this component.
 */
export class RuntimeSecret extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly secretName: pulumi.Output<string>;

  constructor(name: string, args: RuntimeSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:RuntimeSecret", name, {}, opts);
    const secret = new secretsmanager.Secret(
      name,
      {
        name: args.secretName,
        description: args.description,
        recoveryWindowInDays: args.recoveryWindowDays,
        kmsKeyId: args.kmsKeyArn,
      },
      { parent: this, protect: args.protect, ...adoption(args.adoptArn) },
    );

    const source = args.source;
    let value: pulumi.Output<string>;
    let versionOptions: pulumi.CustomResourceOptions = { parent: this };
    switch (source.kind) {
      case "generated": {
        const password = new RandomPassword(
          `${name}-value`,
          {
            length: source.length,
            special: source.special,
            upper: source.upper,
            lower: source.lower,
            numeric: source.numeric,
            // The value changes only when the rotation counter does.
            keepers: { rotation: String(source.rotation) },
          },
          { parent: this },
        );
        value = password.result;
        break;
      }
      case "config":
        value = source.value;
        break;
      case "external":
        value = pulumi.output(EXTERNAL_PLACEHOLDER);
        // Written once so the secret has a version; whatever is set later is never overwritten.
        versionOptions = { parent: this, ignoreChanges: ["secretString", "versionStages"] };
        break;
    }
    if (source.kind !== "external" || source.placeholder) {
      new secretsmanager.SecretVersion(
        `${name}-version`,
        { secretId: secret.id, secretString: pulumi.secret(value) },
        versionOptions,
      );
    }
    this.arn = secret.arn;
    this.secretName = secret.name;
    this.registerOutputs({ arn: this.arn, secretName: this.secretName });
  }
}
