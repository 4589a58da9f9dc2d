/** The fuzzing properties, a few thousand cases each on every test run (`npm run fuzz` runs a million). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { properties } from './properties.js';

describe('fuzzing properties', () => {
  it.each(Object.entries(properties))('%s', (_name, property) => {
    fc.assert(property as fc.IProperty<unknown[]>, { numRuns: 2000 });
  });
});
