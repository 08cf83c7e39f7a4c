// CDK app entry point (cdk.json "app"): `npm run synth`, `npm run deploy`. See infra/DEPLOY.md.
import { createApp } from './create-app.js';

createApp().app.synth();
