import * as pulumi from "@pulumi/pulumi";

/**
 * Resource options that take over an existing resource instead of creating it (Pulumi `import`).
 *
 * What an import does (Pulumi CLI 3.174.0 and later; `Pulumi.yaml` requires 3.252.0): `pulumi up`
 * reads the existing resource into the stack's state, then updates it to the declared inputs in
 * the same run, as for any other resource; the preview shows each import next to the update it
 * needs. A difference that would replace the resource is refused instead ("previously-imported
 * resources that still specify an ID may not be replaced"). So config must describe the resource
 * as it is wherever an update would hurt, and a resource other stacks share lists its shared
 * settings in `ignoreChanges` (the account's OIDC provider: its client ids and thumbprints).
 * 3.252.0 is required because earlier versions dropped the import id from state after an
 * import followed by an update, and the next run then replaced (deleted) a resource whose import
 * id is not its id, such as a cluster imported by name.
 *
 * Adopted resources are kept when the stack is destroyed, since the stack did not create them.
 * Once the resource is in the stack's state the option has no further effect, so the id may stay
 * in config.
 *
 * @see https://www.pulumi.com/docs/iac/concepts/options/import/
 */
export function adoption(
  id: string | undefined,
  sharedSettings: readonly string[] = [],
): pulumi.CustomResourceOptions {
  return id
    ? {
        import: id,
        retainOnDelete: true,
        ...(sharedSettings.length > 0 ? { ignoreChanges: [...sharedSettings] } : {}),
      }
    : {};
}
