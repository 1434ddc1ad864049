import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:load`: hundreds of workers in every mode, minutes long; CI runs it after `npm test`. */
export default defineConfig({ ...base, test: { ...base.test, include: ['test/load/**/*.test.ts'], testTimeout: 600_000 } });
