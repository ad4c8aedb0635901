/**
 * Starts `index.ts` the way `pulumi preview` and `pulumi up` do, without the Pulumi CLI, and
 * measures how long the program takes to declare its first resource.
 *
 * The CLI's Node.js language host (pulumi/pulumi, sdk/nodejs/cmd/pulumi-language-nodejs/main.go:
 * `parseOptions`, `execRuntime`, `constructArguments`) runs
 * `node <nodeargs> node_modules/@pulumi/pulumi/cmd/run --monitor <addr> --project <name>
 * --stack <stack> --pwd <dir> .`, with `PULUMI_NODEJS_TYPESCRIPT=true` for the runtime option
 * `typescript` (on unless false), `PULUMI_NODEJS_TSCONFIG_PATH` for `tsconfig`, and the stack's
 * config in `PULUMI_CONFIG`. `cmd/run` then registers ts-node (type-checking unless
 * `PULUMI_NODEJS_TRANSPILE_ONLY`, the tsconfig's `noCheck` or its `ts-node.transpileOnly` says
 * otherwise) and requires the program. Here a stand-in resource monitor (the SDK's own gRPC
 * service definition) answers the registrations; the time is from spawning the process to the
 * first resource after the stack itself.
 */
import { ChildProcess, spawn } from "child_process";
import { readFileSync } from "fs";
import { createRequire } from "module";
import * as path from "path";
import { parse } from "yaml";
import { isObject } from "../lib/json";
import { readStackFile } from "../stacks/stackFiles";

/** The runtime options of `Pulumi.yaml` the language host reads for Node.js. */
export interface NodeRuntimeOptions {
  readonly typescript: boolean;
  readonly tsconfig?: string;
  readonly nodeargs: readonly string[];
  /** The program, relative to the project (`main`; the project directory when unset). */
  readonly main: string;
}

/** Reads `Pulumi.yaml`'s `runtime` and `main` as the language host does. */
export function nodeRuntimeOptions(projectDir: string): NodeRuntimeOptions {
  const project: unknown = parse(readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
  const runtime = isObject(project) ? project.runtime : undefined;
  const options = isObject(runtime) && isObject(runtime.options) ? runtime.options : {};
  const main = isObject(project) && typeof project.main === "string" ? project.main : ".";
  return {
    typescript: options.typescript !== false,
    ...(typeof options.tsconfig === "string" ? { tsconfig: options.tsconfig } : {}),
    // The host splits nodeargs like a shell; the project sets none that need quoting.
    nodeargs:
      typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
    main,
  };
}

/** The untyped parts of the SDK's generated gRPC code this file uses. */
interface Sdk {
  grpc: {
    Server: new () => {
      addService(service: unknown, handlers: Record<string, unknown>): void;
      bindAsync(
        address: string,
        creds: unknown,
        done: (err: Error | null, port: number) => void,
      ): void;
      forceShutdown(): void;
    };
    ServerCredentials: { createInsecure(): unknown };
  };
  services: { ResourceMonitorService: unknown };
  messages: {
    RegisterResourceResponse: new () => {
      setUrn(urn: string): void;
      setId(id: string): void;
      setObject(object: unknown): void;
    };
  };
  Struct: new () => unknown;
}

/** The SDK's gRPC library and messages, resolved from the SDK as the program resolves them. */
function sdk(): Sdk {
  const fromSdk = createRequire(require.resolve("@pulumi/pulumi"));
  return {
    grpc: fromSdk("@grpc/grpc-js") as Sdk["grpc"],
    services: fromSdk("./proto/resource_grpc_pb") as Sdk["services"],
    messages: fromSdk("./proto/resource_pb") as Sdk["messages"],
    Struct: (fromSdk("google-protobuf/google/protobuf/struct_pb") as { Struct: Sdk["Struct"] })
      .Struct,
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
}

/**
 * Runs the program for `stack` under the language host's settings (plus `env`) and resolves with
 * the milliseconds until its first resource registration; the process is then stopped.
 */
export function cliStartMs(
  projectDir: string,
  stack: string,
  env: NodeJS.ProcessEnv = {},
  /** Runtime options other than `Pulumi.yaml`'s, to measure another way of starting. */
  override: Partial<NodeRuntimeOptions> = {},
): Promise<number> {
  const { grpc, services, messages, Struct } = sdk();
  const options = { ...nodeRuntimeOptions(projectDir), ...override };
  const project = (
    parse(readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
      name: string;
    }
  ).name;
  const config = readStackFile(stack, path.join(projectDir, `Pulumi.${stack}.yaml`));
  return new Promise((resolve, reject) => {
    const server = new grpc.Server();
    let child: ChildProcess | undefined;
    let started = 0n;
    let stderr = "";
    let done = false;
    const finish = (result: number | Error) => {
      if (done) return;
      done = true;
      child?.kill("SIGKILL");
      server.forceShutdown();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    server.addService(services.ResourceMonitorService, {
      registerResource(
        call: { request: RegisterRequest },
        reply: (err: null, response: unknown) => void,
      ) {
        const type = call.request.getType();
        if (type !== "pulumi:pulumi:Stack") {
          finish(Number(process.hrtime.bigint() - started) / 1e6);
          return;
        }
        const response = new messages.RegisterResourceResponse();
        response.setUrn(`urn:pulumi:${stack}::${project}::${type}::${call.request.getName()}`);
        response.setId("");
        response.setObject(new Struct());
        reply(null, response);
      },
    });
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return finish(err);
      const runPath = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "cmd", "run");
      const cleaned = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(TS_NODE_|PULUMI_NODEJS_)/.test(k)),
      );
      started = process.hrtime.bigint();
      child = spawn(
        process.execPath,
        [
          ...options.nodeargs,
          runPath,
          "--monitor",
          `127.0.0.1:${port}`,
          "--project",
          project,
          "--stack",
          stack,
          "--pwd",
          projectDir,
          "--dry-run",
          options.main,
        ],
        {
          cwd: projectDir,
          env: {
            ...cleaned,
            ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
            ...(options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
            PULUMI_CONFIG: JSON.stringify(config.values),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify([...config.secretKeys]),
            ...env,
          },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("exit", (code) =>
        finish(new Error(`the program exited (${code}) before registering a resource:\n${stderr}`)),
      );
    });
  });
}
