/** Every planted scenario of the nightly batch, in a fixed order: the order is part of the seeded stream. */
import { plantDiagnoses, plantImagingAndTwins, plantUnitsAndModifiers } from './plant/claim-rules.js';
import { plantDataRules } from './plant/data-rules.js';
import { plantFrequency, plantPriorBatch, plantRepeat } from './plant/frequency.js';
import { plantPlaceAndAuth, plantSessionRules } from './plant/session-rules.js';
import { plantDuplicates, plantFormats, plantRejected } from './plant/whole-file.js';
import { Planter } from './planter.js';
import type { World } from './world.js';

export function plantScenarios(world: World): Planter {
  const p = new Planter(world);
  plantDataRules(p);
  plantImagingAndTwins(p);
  plantUnitsAndModifiers(p);
  plantDiagnoses(p);
  plantSessionRules(p);
  plantPlaceAndAuth(p);
  plantFrequency(p);
  plantRepeat(p);
  plantPriorBatch(p);
  plantDuplicates(p);
  plantFormats(p);
  plantRejected(p);
  return p;
}
