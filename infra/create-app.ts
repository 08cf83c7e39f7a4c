import { App, type AppProps } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import { readConfig } from './config.js';
import { addNagPacks } from './nag.js';
import { Scrub62323Stack } from './stack.js';

/**
 * Builds the app: one environment-agnostic stack per stage (no account/region lookups, so it
 * synthesizes offline without credentials) with the cdk-nag packs registered.
 */
export function createApp(props?: AppProps): { app: App; stack: Scrub62323Stack; nagPacks: NagPack[] } {
  const app = new App(props);
  const config = readConfig(app.node);
  const stack = new Scrub62323Stack(app, `Scrub62323-${config.stage}`, {
    config,
    description: `scrub62323 (${config.stage}): serverless claim scrubber for CPT 62323`,
  });
  const nagPacks = addNagPacks(app);
  return { app, stack, nagPacks };
}
