import * as pulumi from "@pulumi/pulumi";

/**
 * Resource options that take over an existing resource instead of creating it. Pulumi's `import`
 * never replaces: when the existing resource differs from the declared one, preview shows the
 * difference and the import fails until config and reality agree. Adopted resources are kept when
 * the stack is destroyed, since the stack did not create them. Once the resource is in the stack's
 * state the option has no further effect, so the id may stay in config.
 *
 * @see https://www.pulumi.com/docs/iac/adopting-pulumi/import/
 */
export function adoption(id: string | undefined): pulumi.CustomResourceOptions {
  return id ? { import: id, retainOnDelete: true } : {};
}
