import { App, type AppProps } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import { readConfig } from './config.js';
import { Scrub62323DataStack } from './data-stack.js';
import { addNagPacks } from './nag.js';
import { Scrub62323Stack } from './stack.js';
import { dataStackName, stageStackName } from './stack-names.js';

export interface Scrub62323App {
  readonly app: App;
  /** `Scrub62323-<stage>`: functions and alarms (stateless); its outputs are the stage's interface. */
  readonly stack: Scrub62323Stack;
  /** `Scrub62323-<stage>-data`: buckets, keys, queues, topics, roles and policies (stateful, retained). */
  readonly dataStack: Scrub62323DataStack;
  readonly nagPacks: NagPack[];
}

/**
 * Builds the app: two environment-agnostic stacks per stage (no account/region lookups, so it
 * synthesizes offline without credentials) with the cdk-nag packs registered. The stateless stack
 * depends on the data stack, never the other way round: deploy data first, destroy it last.
 */
export function createApp(props?: AppProps): Scrub62323App {
  const app = new App(props);
  const config = readConfig(app.node);
  const dataStack = new Scrub62323DataStack(app, dataStackName(config.stage), {
    config,
    description: `scrub62323 (${config.stage}) data: buckets, keys, queues, topics and access (retained)`,
  });
  const stack = new Scrub62323Stack(app, stageStackName(config.stage), {
    config,
    data: dataStack,
    description: `scrub62323 (${config.stage}): serverless claim scrubber for CPT 62323`,
  });
  const nagPacks = addNagPacks(app);
  return { app, stack, dataStack, nagPacks };
}
