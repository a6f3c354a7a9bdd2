/** Writes docs/results.schema.json from the results schema (source/core/results/schema.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { resultsJsonSchema } from '../source/core/results/schema.js';

const out = path.resolve(import.meta.dirname, '../docs/results.schema.json');
writeFileSync(out, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
