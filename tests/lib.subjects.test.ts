import { strict as assert } from "assert";
import {
  RepositoryRef,
  Subject,
  SubjectRules,
  githubTrustPolicy,
  isPattern,
  parseSubject,
  renderSubject,
} from "../lib/subjects";
import { AUD, trustAdmits } from "./support";

const repo: RepositoryRef = { owner: "acme", repository: "shop" };
const providerArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** What a staging deploy role may trust. */
const deployRules: SubjectRules = {
  allowPatterns: false,
  forbiddenEnvironments: ["production"],
};
const withPatterns: SubjectRules = { ...deployRules, allowPatterns: true };
const readOnlyRules: SubjectRules = deployRules;
const permissive: SubjectRules = {
  allowPatterns: true,
  forbiddenEnvironments: ["production"],
};

function accepted(input: string, rules: SubjectRules = deployRules): Subject {
  const result = parseSubject(input, repo, rules);
  if (!result.ok) assert.fail(`expected "${input}" to be accepted, got: ${result.problem}`);
  return result.subject;
}

function subjectRefusal(input: string, rules: SubjectRules = deployRules): string {
  const result = parseSubject(input, repo, rules);
  if (result.ok)
    assert.fail(`expected "${input}" to be refused, got ${JSON.stringify(result.subject)}`);
  return result.problem;
}

const staging: Subject = { kind: "environment", value: "staging" };
const backendTags: Subject = { kind: "ref", value: "refs/tags/backend-v*" };
/** Claims of a token; pass `null` for a token without `aud` (an `undefined` argument means the default). */
const token = (sub: string, aud: string | null = AUD) => ({ sub, aud: aud ?? undefined });

describe("parseSubject", () => {
  describe("accepts", () => {
    const forms: [string, string][] = [
      ["environment:staging", "repo:acme/shop:environment:staging"],
      ["ref:refs/heads/main", "repo:acme/shop:ref:refs/heads/main"],
      ["ref:refs/heads/release/2024-01", "repo:acme/shop:ref:refs/heads/release/2024-01"],
      ["ref:refs/tags/v1.2.3", "repo:acme/shop:ref:refs/tags/v1.2.3"],
    ];
    for (const [short, full] of forms) {
      it(`"${short}" and "${full}" as the same subject, rendered as GitHub's claim`, () => {
        const fromShort = accepted(short);
        assert.deepEqual(accepted(full), fromShort);
        assert.equal(renderSubject(fromShort, repo), full);
      });
    }

    it("a subject with surrounding whitespace, as YAML may leave it", () => {
      assert.deepEqual(accepted("  environment:staging \n"), staging);
    });

    it("pull_request, short and full form (who may trust it is the access model's rule)", () => {
      assert.deepEqual(accepted("pull_request", readOnlyRules), { kind: "pull_request" });
      assert.deepEqual(accepted("repo:acme/shop:pull_request", readOnlyRules), {
        kind: "pull_request",
      });
    });

    it("a tag pattern only when the role opts in to patterns, and marks it as a pattern", () => {
      const subject = accepted("ref:refs/tags/backend-v*", withPatterns);
      assert.deepEqual(subject, backendTags);
      assert.equal(isPattern(subject), true);
      assert.equal(
        isPattern(accepted("repo:acme/shop:ref:refs/heads/release-*", withPatterns)),
        true,
      );
    });
  });

  describe("refuses", () => {
    // [why, input, rules]: each entry must be refused with a message that quotes it and says how to fix it.
    const refusals: [string, string, SubjectRules][] = [
      ["every repository", "*", permissive],
      ["an empty subject", "", permissive],
      ["a blank subject", "   ", permissive],
      ["a wildcard repository", "repo:acme/*:ref:refs/heads/main", permissive],
      ["a wildcard owner", "repo:*/shop:ref:refs/heads/main", permissive],
      ["a repository prefix pattern", "repo:acme/shop*:environment:staging", permissive],
      [
        "a single-character wildcard in the owner",
        "repo:acm?/shop:environment:staging",
        permissive,
      ],
      ["another repository of the owner", "repo:acme/shop-evil:environment:staging", permissive],
      [
        "the same repository name under another owner (a fork)",
        "repo:evil/shop:environment:staging",
        permissive,
      ],
      ["a branch pattern without opt-in", "ref:refs/heads/feature/*", deployRules],
      ["a tag pattern without opt-in", "repo:acme/shop:ref:refs/tags/backend-v*", deployRules],
      ["'?' in a branch", "ref:refs/heads/ma?n", permissive],
      ["'?' in a tag", "ref:refs/tags/v1.?", deployRules],
      ["'?' in an environment", "environment:stag?ng", permissive],
      ["a wildcard environment", "environment:*", permissive],
      ["an environment pattern", "environment:prod*", permissive],
      ["the other stage's environment", "environment:production", permissive],
      [
        "the other stage's environment (full form)",
        "repo:acme/shop:environment:production",
        permissive,
      ],
      ["an environment without a name", "environment:", permissive],
      ["a bare branch name", "ref:main", permissive],
      ["a branch ref without a branch", "ref:refs/heads/", permissive],
      ["a tag ref without a tag", "ref:refs/tags/", permissive],
      ["a pull request ref", "ref:refs/pull/1/merge", permissive],
      ["a pattern over the ref namespace", "ref:refs/*", permissive],
      ["a ref with a space", "ref:refs/heads/a b", permissive],
      ["a ref with a colon", "ref:refs/heads/a:b", permissive],
      ["an unknown kind", "branch:main", permissive],
      ["a repository without a subject", "repo:acme/shop", permissive],
      ["a repository without an owner", "repo:shop:environment:staging", permissive],
    ];
    for (const [why, input, rules] of refusals) {
      it(`${why}: "${input}", with a fix`, () => {
        const problem = subjectRefusal(input, rules);
        assert.ok(problem.includes(`"${input}"`), `the message should quote the entry: ${problem}`);
        assert.match(problem, /Fix: \S/);
      });
    }

    it("another repository, naming the stack's own repository in the fix", () => {
      assert.match(subjectRefusal("repo:acme/shop-evil:environment:staging"), /acme\/shop\b/);
    });

    it("the other stage's environment for a prod role, while admitting its own", () => {
      const prodRules: SubjectRules = { ...deployRules, forbiddenEnvironments: ["staging"] };
      subjectRefusal("environment:staging", prodRules);
      assert.deepEqual(accepted("environment:production", prodRules), {
        kind: "environment",
        value: "production",
      });
    });

    // GitHub environment names ignore case: `environment: Production` runs under production's rules.
    it("the other stage's environment in any letter case (GitHub environment names ignore case)", () => {
      subjectRefusal("environment:Production");
      subjectRefusal("repo:acme/shop:environment:PRODUCTION");
    });
  });
});

describe("isPattern", () => {
  it("is true only for refs with a wildcard", () => {
    assert.equal(isPattern(backendTags), true);
    assert.equal(isPattern({ kind: "ref", value: "refs/heads/main" }), false);
    assert.equal(isPattern(staging), false);
    assert.equal(isPattern({ kind: "pull_request" }), false);
  });
});

describe("renderSubject", () => {
  it("renders the sub claims GitHub issues for environments, refs and pull requests", () => {
    assert.equal(renderSubject(staging, repo), "repo:acme/shop:environment:staging");
    assert.equal(
      renderSubject({ kind: "ref", value: "refs/heads/main" }, repo),
      "repo:acme/shop:ref:refs/heads/main",
    );
    assert.equal(renderSubject({ kind: "pull_request" }, repo), "repo:acme/shop:pull_request");
  });
});

describe("githubTrustPolicy", () => {
  describe("with only environment:staging", () => {
    const doc = githubTrustPolicy({ providerArn, repo, subjects: [staging] });

    it("admits a staging job of acme/shop with the STS audience", () => {
      assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:staging")), true);
      assert.equal(
        trustAdmits(doc, { ...token("repo:acme/shop:environment:staging"), providerArn }),
        true,
      );
    });

    const refused: [string, string, string | null][] = [
      [
        "a feature branch job without an environment",
        "repo:acme/shop:ref:refs/heads/feature/x",
        AUD,
      ],
      ["the main branch without an environment", "repo:acme/shop:ref:refs/heads/main", AUD],
      ["a pull request", "repo:acme/shop:pull_request", AUD],
      ["another repository with a similar name", "repo:acme/shop-evil:environment:staging", AUD],
      ["a fork-style subject under another owner", "repo:evil/shop:environment:staging", AUD],
      ["the production environment", "repo:acme/shop:environment:production", AUD],
      [
        "a token minted for another audience",
        "repo:acme/shop:environment:staging",
        "https://github.com/acme",
      ],
      ["a token without an audience", "repo:acme/shop:environment:staging", null],
    ];
    for (const [why, sub, aud] of refused) {
      it(`refuses ${why}`, () => {
        assert.equal(trustAdmits(doc, token(sub, aud)), false);
      });
    }

    it("refuses a token verified by another identity provider", () => {
      const other = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";
      assert.equal(
        trustAdmits(doc, { ...token("repo:acme/shop:environment:staging"), providerArn: other }),
        false,
      );
    });
  });

  describe("with an exact subject and a tag pattern", () => {
    const doc = githubTrustPolicy({ providerArn, repo, subjects: [staging, backendTags] });

    it("admits a token matching only the exact subject", () => {
      assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:staging")), true);
    });

    it("admits a token matching only the pattern", () => {
      assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/backend-v1")), true);
      assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/backend-v2.10.0")), true);
    });

    it("refuses tags outside the pattern, the pattern in another repository and the wrong audience", () => {
      assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/frontend-v1")), false);
      assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/heads/backend-v1")), false);
      assert.equal(trustAdmits(doc, token("repo:acme/shop-evil:ref:refs/tags/backend-v1")), false);
      assert.equal(
        trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/backend-v1", "other")),
        false,
      );
      assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/backend-v1", null)), false);
    });

    it("treats nothing outside the pattern as a wildcard: the exact subject admits only itself", () => {
      assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:staging-2")), false);
      assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:production")), false);
    });
  });

  it("admits each of several exact subjects and nothing else", () => {
    const main: Subject = { kind: "ref", value: "refs/heads/main" };
    const doc = githubTrustPolicy({ providerArn, repo, subjects: [staging, main, staging] });
    assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:staging")), true);
    assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/heads/main")), true);
    assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/heads/main-evil")), false);
    assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/heads/feature/x")), false);
  });

  it("with only a pattern, admits matching tags and not the stage's environment", () => {
    const doc = githubTrustPolicy({ providerArn, repo, subjects: [backendTags] });
    assert.equal(trustAdmits(doc, token("repo:acme/shop:ref:refs/tags/backend-v3")), true);
    assert.equal(trustAdmits(doc, token("repo:acme/shop:environment:staging")), false);
  });

  it("admits pull requests only when a pull_request subject is given", () => {
    const pr = "repo:acme/shop:pull_request";
    assert.equal(
      trustAdmits(
        githubTrustPolicy({ providerArn, repo, subjects: [{ kind: "pull_request" }] }),
        token(pr),
      ),
      true,
    );
    assert.equal(
      trustAdmits(githubTrustPolicy({ providerArn, repo, subjects: [staging] }), token(pr)),
      false,
    );
  });

  it("refuses to build a policy without subjects, which would trust every repository", () => {
    assert.throws(
      () => githubTrustPolicy({ providerArn, repo, subjects: [] }),
      /subjects must not be empty/,
    );
  });
});
