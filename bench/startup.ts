/**
 * Prints the milliseconds from process start to the program's first resource registration on
 * the mock runtime (module loading, config validation and the first component), as JSON.
 */
import { DEFAULT_ACCOUNT_ID, MockCloud } from "../scripts/mocks";
import { runOffline } from "../scripts/offline";
import { readStackFile, stackFilePath } from "../stacks/stackFiles";

class FirstRegistration extends MockCloud {
  firstMs?: number;
  newResource(args: Parameters<MockCloud["newResource"]>[0]): ReturnType<MockCloud["newResource"]> {
    this.firstMs ??= process.uptime() * 1000;
    return super.newResource(args);
  }
}

async function main(): Promise<void> {
  const cloud = new FirstRegistration({ accountId: DEFAULT_ACCOUNT_ID, region: "eu-west-1" });
  await runOffline(cloud, readStackFile("staging", stackFilePath("staging")));
  process.stdout.write(
    `${JSON.stringify({ firstRegistrationMs: Math.round(cloud.firstMs ?? -1), totalMs: Math.round(process.uptime() * 1000) })}\n`,
  );
}

void main();
