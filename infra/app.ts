// CDK app entry point (cdk.json "app"): `npm run synth`, `npm run deploy`. See the README, "Deploy to AWS".
import { createApp } from './create-app.js';

createApp().app.synth();
