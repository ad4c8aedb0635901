import * as iam from "@pulumi/aws/iam";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import { FALLBACK_METRIC } from "../lib/grants";
import { RenderedPolicies } from "./policies";

/** Arguments of {@link BreakGlassAccess}. */
export interface BreakGlassAccessArgs {
  /**
   * IAM user name.
   * @example "shop-staging-fallback"
   */
  readonly userName: string;
  /** The SNS topic the alarm notifies. */
  readonly topicName: string;
  /** The CloudWatch alarm on the fallback metric. */
  readonly alarmName: string;
  /**
   * The EventBridge rule on every API call made with the user's credentials, recorded by the
   * account's CloudTrail trail: it notifies the topic however the keys are used.
   */
  readonly ruleName: string;
  /** The GitHub environment whose jobs may use the keys; the alarm's metric dimension. */
  readonly environment: string;
  /**
   * The deploy role's grants as customer-managed policies (a user's inline policies may total
   * only 2,048 characters): the user may do exactly what the role may.
   */
  readonly policies: RenderedPolicies;
  /**
   * Who is told, by e-mail, the moment the keys are used.
   * @example ["oncall@example.com"]
   */
  readonly alarmEmails: readonly string[];
}

/**
 * The break-glass path for when OIDC cannot be used: an IAM user with exactly the deploy role's
 * permissions, one access key (for the environment's secrets only), and two watchers that e-mail
 * people: an EventBridge rule on every CloudTrail event made with the user's credentials (a copied
 * key used from anywhere), and an alarm on the `CICD/FallbackAccessKeysUsed` metric the workflow
 * writes (which environment's job used it).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export class BreakGlassAccess extends pulumi.ComponentResource {
  readonly userArn: pulumi.Output<string>;
  readonly accessKeyId: pulumi.Output<string>;
  /** A Pulumi secret; it only ever goes to GitHub's encrypted environment secrets. */
  readonly secretAccessKey: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: BreakGlassAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("delivery:aws:BreakGlassAccess", name, {}, opts);
    if (args.alarmEmails.length === 0) {
      throw new Error(`BreakGlassAccess ${name}: alarmEmails must name at least one address`);
    }
    const user = new iam.User(name, { name: args.userName }, { parent: this });
    for (const p of args.policies.managed) {
      const policy = new iam.Policy(
        `${name}-managed-${p.key}`,
        {
          name: p.name,
          description: `Break-glass copy of the deploy role's grants, part ${p.key}`,
          policy: p.document,
        },
        { parent: this },
      );
      new iam.UserPolicyAttachment(
        `${name}-managed-${p.key}`,
        { user: user.name, policyArn: policy.arn },
        { parent: this },
      );
    }
    const key = new iam.AccessKey(`${name}-key`, { user: user.name }, { parent: this });

    const topic = new sns.Topic(`${name}-alarm`, { name: args.topicName }, { parent: this });
    args.alarmEmails.forEach((email) => {
      new sns.TopicSubscription(
        `${name}-alarm-${email}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
    const alarm = new cloudwatch.MetricAlarm(
      `${name}-alarm`,
      {
        name: args.alarmName,
        alarmDescription: `The break-glass access keys of ${args.userName} were used by a workflow of the ${args.environment} environment. Find out why and switch back to OIDC.`,
        namespace: FALLBACK_METRIC.namespace,
        metricName: FALLBACK_METRIC.name,
        dimensions: { Environment: args.environment },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
      },
      { parent: this },
    );

    // Read-only calls (sts:GetCallerIdentity, Describe*) too: a stolen key is usually tried first.
    const rule = new cloudwatch.EventRule(
      `${name}-used`,
      {
        name: args.ruleName,
        description: `Any AWS API call made with the break-glass credentials of ${args.userName}.`,
        state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        eventPattern: pulumi.jsonStringify({
          "detail-type": ["AWS API Call via CloudTrail"],
          detail: { userIdentity: { type: ["IAMUser"], arn: [user.arn] } },
        }),
      },
      { parent: this },
    );
    new cloudwatch.EventTarget(
      `${name}-used`,
      {
        rule: rule.name,
        targetId: "notify",
        arn: topic.arn,
        inputTransformer: {
          inputPaths: {
            event: "$.detail.eventName",
            region: "$.detail.awsRegion",
            ip: "$.detail.sourceIPAddress",
            time: "$.time",
            key: "$.detail.userIdentity.accessKeyId",
          },
          inputTemplate: `"The break-glass credentials of ${args.userName} were used: <event> in <region> from <ip> at <time> (access key <key>). If no ${args.environment} deploy needed them, deactivate the key now."`,
        },
      },
      { parent: this },
    );
    // Only this rule and this alarm may publish: the topic's policy replaces the default one.
    const publishFrom = (Sid: string, service: string, sourceArn: pulumi.Output<string>) => ({
      Sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sns:Publish",
      Resource: topic.arn,
      Condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
    });
    new sns.TopicPolicy(
      `${name}-alarm`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            publishFrom("CloudTrailRule", "events.amazonaws.com", rule.arn),
            publishFrom("MetricAlarm", "cloudwatch.amazonaws.com", alarm.arn),
          ],
        }),
      },
      { parent: this },
    );

    this.userArn = user.arn;
    this.accessKeyId = key.id;
    this.secretAccessKey = pulumi.secret(key.secret);
    this.alarmTopicArn = topic.arn;
    this.registerOutputs({
      userArn: this.userArn,
      accessKeyId: this.accessKeyId,
      alarmTopicArn: this.alarmTopicArn,
    });
  }
}
