// @vitest-environment node
// openapi-typescript reads files through Node's fs: no DOM here.
import { readFile } from 'node:fs/promises';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

const OPENAPI = new URL('../../../sale-api/src/main/resources/openapi.json', import.meta.url);
const GENERATED = new URL('./api-types.ts', import.meta.url);

describe('api-types.ts', () => {
  it('is what `npm run gen:api` makes of sale-api/src/main/resources/openapi.json', async () => {
    // What the openapi-typescript CLI writes with default options: its header, then the types.
    const fresh = COMMENT_HEADER + astToString(await openapiTS(OPENAPI, { silent: true }));
    const committed = await readFile(GENERATED, 'utf8');
    expect(committed, 'api-types.ts is out of date with openapi.json: run `npm run gen:api`').toBe(fresh);
  }, 30_000);
});
