import { strict as assert } from "assert";
import { FARGATE_SIZES, fargateSizeProblem } from "../lib/fargate";

const steps = (from: number, to: number, step: number) =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/**
 * Fargate's task sizes as AWS documents them (memory in MiB), written out independently of lib/fargate.ts.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const DOCUMENTED: [number, number[]][] = [
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, steps(2048, 8192, 1024)],
  [2048, steps(4096, 16384, 1024)],
  [4096, steps(8192, 30720, 1024)],
  [8192, steps(16384, 61440, 4096)],
  [16384, steps(32768, 122880, 8192)],
];

/** The numbers a problem offers after "Fix:". */
const offered = (problem: string) => (problem.split("Fix:")[1]?.match(/\d+/g) ?? []).map(Number);

function problemOf(cpu: number, memory: number): string {
  const problem = fargateSizeProblem(cpu, memory);
  if (problem === undefined) assert.fail(`expected cpu ${cpu} / memory ${memory} to be refused`);
  return problem;
}

describe("fargateSizeProblem", () => {
  it("knows exactly the documented cpu values and memory sizes", () => {
    assert.deepEqual(
      [...FARGATE_SIZES.entries()].map(([cpu, memories]) => [cpu, [...memories]]),
      DOCUMENTED,
    );
  });

  it("accepts every documented cpu/memory pair", () => {
    for (const [cpu, memories] of DOCUMENTED) {
      for (const memory of memories) {
        assert.equal(fargateSizeProblem(cpu, memory), undefined, `cpu ${cpu} / memory ${memory}`);
      }
    }
  });

  it("accepts the smallest and largest pairs of each tier", () => {
    for (const [cpu, memory] of [
      [256, 512],
      [1024, 2048],
      [4096, 30720],
      [8192, 61440],
      [16384, 122880],
    ]) {
      assert.equal(fargateSizeProblem(cpu, memory), undefined, `cpu ${cpu} / memory ${memory}`);
    }
  });

  const badPairs: [number, number][] = [
    [256, 256],
    [256, 4096],
    [512, 512],
    [512, 5120],
    [1024, 1024],
    [1024, 2560],
    [2048, 3072],
    [4096, 31744],
    [8192, 18432],
    [16384, 36864],
    [16384, 131072],
  ];
  for (const [cpu, memory] of badPairs) {
    it(`refuses cpu ${cpu} with memory ${memory}, listing the memory allowed with cpu ${cpu}`, () => {
      const problem = problemOf(cpu, memory);
      assert.match(problem, new RegExp(`\\b${memory}\\b`));
      const allowed = DOCUMENTED.find(([c]) => c === cpu)?.[1];
      assert.deepEqual(offered(problem), allowed);
    });
  }

  for (const cpu of [0, 128, 300, 3072, 32768]) {
    it(`refuses cpu ${cpu}, listing the cpu values Fargate accepts`, () => {
      const problem = problemOf(cpu, 2048);
      assert.match(problem, new RegExp(`cpu ${cpu}\\b`));
      assert.deepEqual(
        offered(problem),
        DOCUMENTED.map(([c]) => c),
      );
    });
  }
});
