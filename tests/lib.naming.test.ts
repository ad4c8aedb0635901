import { strict as assert } from "assert";
import { STAGES, logGroupName, resourceName, secretName, variableSuffix } from "../lib/naming";

describe("naming", () => {
  it("knows exactly the staging and prod stages", () => {
    assert.deepEqual([...STAGES].sort(), ["prod", "staging"]);
  });

  it("names resources <app>-<stage>-<part>, or <app>-<stage> without a part", () => {
    assert.equal(resourceName("shop", "staging", "backend"), "shop-staging-backend");
    assert.equal(resourceName("shop", "prod", "backend-task"), "shop-prod-backend-task");
    assert.equal(resourceName("shop", "prod"), "shop-prod");
  });

  it("names secrets <app>/<stage>/<secret>", () => {
    assert.equal(secretName("shop", "staging", "db-password"), "shop/staging/db-password");
  });

  it("names a service's log group /ecs/<app>-<stage>-<service>", () => {
    assert.equal(logGroupName("shop", "prod", "backend"), "/ecs/shop-prod-backend");
  });

  it("never gives staging and prod of one app the same name", () => {
    const [a, b] = STAGES;
    assert.notEqual(resourceName("shop", a, "backend"), resourceName("shop", b, "backend"));
    assert.notEqual(resourceName("shop", a), resourceName("shop", b));
    assert.notEqual(secretName("shop", a, "db"), secretName("shop", b, "db"));
    assert.notEqual(logGroupName("shop", a, "backend"), logGroupName("shop", b, "backend"));
  });

  it("never gives two apps or two services the same name in one stage", () => {
    assert.notEqual(
      resourceName("shop", "staging", "backend"),
      resourceName("shop", "staging", "frontend"),
    );
    assert.notEqual(
      resourceName("shop", "staging", "backend"),
      resourceName("blog", "staging", "backend"),
    );
    assert.notEqual(
      logGroupName("shop", "staging", "backend"),
      logGroupName("shop", "staging", "frontend"),
    );
  });

  it("turns service names into GitHub variable suffixes (upper case, _ for -)", () => {
    assert.equal(variableSuffix("backend"), "BACKEND");
    assert.equal(variableSuffix("api-gateway-v2"), "API_GATEWAY_V2");
    for (const service of ["backend", "api-gateway-v2", "web-1"]) {
      assert.match(
        variableSuffix(service),
        /^[A-Z0-9_]+$/,
        "GitHub variable names are letters, digits and _",
      );
    }
  });
});
