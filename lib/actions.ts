/**
 * Every GitHub Action this product's workflows use (its own pipelines and the generated app
 * repository workflows), pinned to the full commit SHA of a release on the action's current
 * major version (all of them run on node24, as GitHub's runners require). The SHAs were read from
 * each action's own repository: the commit its release tag points to. Workflows show the release
 * in a comment next to the SHA.
 *
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions
 */

/** An action at one release. */
export interface PinnedAction {
  readonly repository: string;
  readonly version: string;
  readonly sha: string;
}

export const ACTIONS = {
  checkout: {
    repository: "actions/checkout",
    version: "v7.0.1",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
  },
  setupNode: {
    repository: "actions/setup-node",
    version: "v7.0.0",
    sha: "820762786026740c76f36085b0efc47a31fe5020",
  },
  awsCredentials: {
    repository: "aws-actions/configure-aws-credentials",
    version: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
  },
  ecrLogin: {
    repository: "aws-actions/amazon-ecr-login",
    version: "v2.1.7",
    sha: "03f1aad4c6c7ffd436567f42f9384779290529bd",
  },
  qemu: {
    repository: "docker/setup-qemu-action",
    version: "v4.2.0",
    sha: "96fe6ef7f33517b61c61be40b68a1882f3264fb8",
  },
  buildx: {
    repository: "docker/setup-buildx-action",
    version: "v4.3.0",
    sha: "37fe631027851001ddb9b187196cc803df7f5f0e",
  },
  buildPush: {
    repository: "docker/build-push-action",
    version: "v7.3.0",
    sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
  },
  renderTaskDefinition: {
    repository: "aws-actions/amazon-ecs-render-task-definition",
    version: "v1.9.0",
    sha: "138c24f321fdbdf7edee4a685519d253cae2cdea",
  },
  deployTaskDefinition: {
    repository: "aws-actions/amazon-ecs-deploy-task-definition",
    version: "v2.6.3",
    sha: "c465972ecbd160473f22e683363b422a5412a3de",
  },
  pulumi: {
    repository: "pulumi/actions",
    version: "v7.0.0",
    sha: "8e5e406f4007fca908480587cb9893c07090f58d",
  },
  // Pulumi Cloud's OIDC token exchange: a short-lived, scoped token instead of a stored one.
  pulumiAuth: {
    repository: "pulumi/auth-actions",
    version: "v2.1.0",
    sha: "141415910c3beb54e03b48e9057c204c97b956f2",
  },
} as const satisfies Record<string, PinnedAction>;

/** `owner/repo@<sha>`, as a step's `uses:`. */
export const uses = (action: PinnedAction): string => `${action.repository}@${action.sha}`;

/**
 * The QEMU image setup-qemu-action installs (its default is `tonistiigi/binfmt:latest`, which
 * moves): docker's own pinned release tag, with its multi-arch index digest.
 */
export const BINFMT_IMAGE =
  "docker.io/tonistiigi/binfmt:qemu-v10.2.3-68@sha256:400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0";

/** Adds the release (`# v7.0.1`) after every pinned `uses:` line of a workflow's YAML. */
export function withVersionComments(yaml: string): string {
  const bySha = new Map<string, string>(Object.values(ACTIONS).map((a) => [a.sha, a.version]));
  return yaml.replace(/^(\s*-?\s*uses: [^@\s]+@([0-9a-f]{40}))$/gm, (line, _, sha: string) => {
    const version = bySha.get(sha);
    return version ? `${line} # ${version}` : line;
  });
}
