/**
 * The break-glass fallback: off by default, refused for prod unless allowed, its key only in the
 * environment's secrets, and every use alarmed.
 */
import { strict as assert } from "assert";
import { OfflineRun } from "../scripts/offline";
import { planDocument } from "../scripts/plan";
import { plan, shippedStack } from "./hooks";
import { ACCOUNT, serviceMayDo } from "./iam";
import {
  FALLBACK_ON,
  allows,
  ofType,
  one,
  policy,
  refusedWith,
  rolePolicies,
  withConfig,
} from "./support";

const enabled = { ...FALLBACK_ON, alarmEmails: ["oncall@example.com", "lead@example.com"] };

describe("break-glass fallback", () => {
  let run: OfflineRun;
  before(async () => {
    run = await plan(withConfig(shippedStack("staging"), { "delivery:fallback": enabled }));
  });

  it("is off by default: no user, no key, no alarm", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const shipped = await plan(shippedStack(stack));
      for (const type of [
        "aws:iam/user:User",
        "aws:iam/accessKey:AccessKey",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
      ]) {
        assert.equal(ofType(shipped, type).length, 0, `${stack}: ${type}`);
      }
    }
  });

  it("is refused for prod unless explicitly allowed", async () => {
    await refusedWith(
      withConfig(shippedStack("prod"), { "delivery:fallback": enabled }),
      "delivery:fallback.enabled",
      "allowInProd",
    );
    const allowed = await plan(
      withConfig(shippedStack("prod"), { "delivery:fallback": { ...enabled, allowInProd: true } }),
    );
    assert.equal(ofType(allowed, "aws:iam/user:User").length, 1);
  });

  it("needs someone to alarm", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), { "delivery:fallback": { enabled: true } }),
      "delivery:fallback.alarmEmails",
    );
  });

  it("gives the user exactly the deploy role's permissions, and recording its own use", () => {
    const user = one(run, "aws:iam/user:User", "shop-fallback");
    assert.equal(user.inputs.name, "shop-staging-fallback");
    const attached = ofType(run, "aws:iam/userPolicyAttachment:UserPolicyAttachment")
      .filter((a) => a.inputs.user === user.id)
      .map((a) => a.inputs.policyArn);
    const userDocs = ofType(run, "aws:iam/policy:Policy")
      .filter((p) => attached.includes(p.state.arn))
      .map((p) => policy(p));
    // Packed into customer-managed policies; a small stage's fit in one.
    assert.equal(userDocs.length, 1);
    assert.equal(
      ofType(run, "aws:iam/userPolicy:UserPolicy").length,
      0,
      "no inline user policies (2,048-character limit)",
    );
    const roleDocs = rolePolicies(run, "shop-staging-deploy");
    const bySid = (docs: typeof roleDocs) =>
      docs.flatMap((d) => d.Statement).sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)));
    assert.deepEqual(
      bySid(userDocs).filter((s) => s.Sid !== "RecordFallbackUse"),
      bySid(roleDocs),
    );
    assert.ok(bySid(userDocs).some((s) => s.Sid === "RecordFallbackUse"));
  });

  it("lets only the break-glass user record its use: the deploy role writes no metric, so it cannot fake or hide one", () => {
    const role = rolePolicies(run, "shop-staging-deploy");
    assert.equal(
      allows(role, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "CICD" }),
      false,
    );
    const user = one(run, "aws:iam/user:User", "shop-fallback");
    const attached = ofType(run, "aws:iam/userPolicyAttachment:UserPolicyAttachment")
      .filter((a) => a.inputs.user === user.id)
      .map((a) => a.inputs.policyArn);
    const docs = ofType(run, "aws:iam/policy:Policy")
      .filter((p) => attached.includes(p.state.arn))
      .map((p) => policy(p));
    assert.ok(allows(docs, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "CICD" }));
    assert.equal(
      allows(docs, "cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "AWS/ECS" }),
      false,
    );
    assert.equal(
      allows(docs, "cloudwatch:DeleteAlarms", "*", { "cloudwatch:namespace": "CICD" }),
      false,
    );
  });

  it("alarms on any use within five minutes and e-mails the configured people", () => {
    const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "shop-fallback-alarm");
    assert.equal(alarm.inputs.namespace, "CICD");
    assert.equal(alarm.inputs.metricName, "FallbackAccessKeysUsed");
    assert.equal(alarm.inputs.period, 300);
    assert.equal(alarm.inputs.threshold, 1);
    assert.equal(alarm.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.deepEqual(alarm.inputs.dimensions, { Environment: "staging" });
    const topic = one(run, "aws:sns/topic:Topic", "shop-fallback-alarm");
    assert.deepEqual(alarm.inputs.alarmActions, [topic.state.arn]);
    const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(
      subscriptions.map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint]).sort(),
      [
        [topic.state.arn, "email", "lead@example.com"],
        [topic.state.arn, "email", "oncall@example.com"],
      ],
    );
  });

  it("e-mails the same people about any AWS call made with the keys, wherever they were copied to", () => {
    const user = one(run, "aws:iam/user:User", "shop-fallback");
    const rule = one(run, "aws:cloudwatch/eventRule:EventRule", "shop-fallback-used");
    assert.equal(rule.inputs.name, "shop-staging-fallback-used");
    // Read-only calls too (sts:GetCallerIdentity is what a stolen key is tried with first).
    assert.equal(rule.inputs.state, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { userIdentity: { type: ["IAMUser"], arn: [user.state.arn] } },
    });
    const topic = one(run, "aws:sns/topic:Topic", "shop-fallback-alarm");
    const target = one(run, "aws:cloudwatch/eventTarget:EventTarget", "shop-fallback-used");
    assert.equal(target.inputs.rule, rule.inputs.name);
    assert.equal(target.inputs.arn, topic.state.arn);
  });

  it("lets only that rule and the alarm publish to the topic", async () => {
    const topic = one(run, "aws:sns/topic:Topic", "shop-fallback-alarm");
    const rule = one(run, "aws:cloudwatch/eventRule:EventRule", "shop-fallback-used");
    const alarm = one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "shop-fallback-alarm");
    const topicPolicy = policy(one(run, "aws:sns/topicPolicy:TopicPolicy", "shop-fallback-alarm"));
    const arn = String(topic.state.arn);
    const publish = (service: string, source: unknown) =>
      serviceMayDo(service, "sns:Publish", arn, String(source), topicPolicy);
    assert.ok(await publish("events.amazonaws.com", rule.state.arn));
    assert.ok(await publish("cloudwatch.amazonaws.com", alarm.state.arn));
    const otherRule = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/someone-elses`;
    assert.equal(await publish("events.amazonaws.com", otherRule), false);
    assert.equal(await publish("cloudwatch.amazonaws.com", rule.state.arn), false);
  });

  it("needs the trail that records the keys' use", async () => {
    await refusedWith(
      withConfig(shippedStack("staging"), {
        "delivery:fallback": { ...enabled, trailArn: undefined },
      }),
      "delivery:fallback.trailArn",
      "EventBridge sees API calls only while a trail",
    );
  });

  it("writes the key only to the environment's secrets, never to variables, outputs or the plan", () => {
    const key = one(run, "aws:iam/accessKey:AccessKey", "shop-fallback-key");
    const secrets = ofType(run, "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    const byName = new Map(secrets.map((s) => [String(s.inputs.secretName), s]));
    assert.equal(byName.get("AWS_ACCESS_KEY_ID")?.rawInputs.value, key.id);
    const secretKey = String(byName.get("AWS_SECRET_ACCESS_KEY")?.rawInputs.value);
    // An AWS secret access key: 40 characters of base64's alphabet, the access key's secret.
    assert.match(secretKey, /^[A-Za-z0-9/+]{40}$/);
    assert.deepEqual(byName.get("AWS_SECRET_ACCESS_KEY")?.secretInputs, ["value"]);
    const everything = JSON.stringify(planDocument(run));
    assert.ok(!everything.includes(secretKey), "the secret access key never appears in the plan");
    const variables = ofType(
      run,
      "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
    ).map((v) => String(v.inputs.variableName));
    assert.ok(!variables.some((v) => v.startsWith("AWS_ACCESS") || v.startsWith("AWS_SECRET")));
  });
});
