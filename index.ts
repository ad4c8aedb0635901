/**
 * Entry point of the `delivery` Pulumi program: read the stack config, build the stage, export
 * its outputs. Everything else lives in `stacks/` (config) and `components/` (resources).
 */
import { buildStage } from "./components/deliveryStage";
import { loadStage, readRuntimeConfig } from "./stacks/load";

const outputs = buildStage(loadStage(readRuntimeConfig()));

export const stage = outputs.stage;
export const region = outputs.region;
export const accountId = outputs.accountId;
export const oidcProviderArn = outputs.oidcProviderArn;
export const deployRoleArn = outputs.deployRoleArn;
export const githubEnvironment = outputs.githubEnvironment;
export const clusterName = outputs.clusterName;
export const services = outputs.services;
export const secretArns = outputs.secretArns;
export const roleArns = outputs.roleArns;
export const githubVariables = outputs.githubVariables;
