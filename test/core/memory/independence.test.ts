/** The memory machinery stores numbers, bytes and strings; it knows no rule, so it imports none. */
import { readdir, readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const FOLDER = 'functions/core/memory';

it('imports nothing but its own modules, the error family and zod', async () => {
  for (const file of await readdir(FOLDER)) {
    const source = await readFile(`${FOLDER}/${file}`, 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    for (const from of imports)
      expect(from, `${file} imports ${from}`).toMatch(/^(?:\.\/|\.\.\/errors\.js$|zod$)/);
  }
});
