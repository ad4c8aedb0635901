/**
 * Fargate's allowed task sizes: each CPU value admits a fixed set of memory values.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** CPU units → allowed memory in MiB. */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

/** The CPU values Fargate accepts. */
export const FARGATE_CPU_VALUES: readonly number[] = [...FARGATE_SIZES.keys()];

/**
 * Checks a cpu/memory pair. Returns undefined when Fargate accepts it, otherwise a problem that
 * lists what is allowed.
 */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  const memories = FARGATE_SIZES.get(cpu);
  if (!memories) {
    return `cpu ${cpu} is not a Fargate size. Fix: use one of ${FARGATE_CPU_VALUES.join(", ")}`;
  }
  if (!memories.includes(memory)) {
    return `memory ${memory} is not allowed with cpu ${cpu}. Fix: use one of ${memories.join(", ")} (MiB)`;
  }
  return undefined;
}

/**
 * The allowed pairs in words, for the config reference: `256 → 512, 1024, 2048; 512 →
 * 1024–4096 (steps of 1024); …`.
 */
export function fargateSizesText(): string {
  return [...FARGATE_SIZES]
    .map(([cpu, memories]) => {
      const [first, second] = memories;
      const last = memories[memories.length - 1];
      return memories.length <= 3
        ? `${cpu} → ${memories.join(", ")}`
        : `${cpu} → ${first}–${last} (steps of ${second - first})`;
    })
    .join("; ");
}
