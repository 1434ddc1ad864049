import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the README', () => {
  it('shows the vitest example exactly as test/integration/readme-example.test.ts runs it', async () => {
    const readme = await read('README.md');
    const example = await read('test/integration/readme-example.test.ts');

    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
