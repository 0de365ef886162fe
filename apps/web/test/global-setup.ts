import type { TestProject } from "vitest/node";

import { startE2eStack } from "./e2e-stack.js";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    webUrl: string;
    betterAuthUrl: string;
    betterAuthWebUrl: string;
    authSecret: string;
    accountsAvailable: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startE2eStack();
  project.provide("apiUrl", stack.apiUrl);
  project.provide("webUrl", stack.webUrl);
  project.provide("betterAuthUrl", stack.betterAuthUrl);
  project.provide("betterAuthWebUrl", stack.betterAuthWebUrl);
  project.provide("authSecret", stack.authSecret);
  project.provide("accountsAvailable", stack.accountsAvailable);
  return stack.stop;
}
