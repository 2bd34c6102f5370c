import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROJECT_ID_PATTERN, RESOURCE_ID_PATTERN } from '../../clients/typescript/src';

const ROOT = join(__dirname, '..', '..');
const OPENAPI_DOCUMENT_PATH = join(ROOT, 'docs', 'openapi.yaml');
const GENERATED_TYPES_PATH = join(ROOT, 'clients', 'typescript', 'src', 'generated', 'openapi.ts');

interface DocumentParameters {
  readonly components: { readonly parameters: Record<string, { readonly schema: { readonly pattern: string } }> };
}

/**
 * Runs the openapi-typescript CLI with default options and returns the generated text from stdout. It runs
 * as a child process because openapi-typescript loads ES modules with require(), which Jest supports only
 * under --experimental-vm-modules.
 */
async function generateTypes(): Promise<string> {
  const packageJsonPath = require.resolve('openapi-typescript/package.json');
  const { bin } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { bin: Record<string, string> };
  const cli = join(dirname(packageJsonPath), bin['openapi-typescript'] ?? 'bin/cli.js');
  const { stdout } = await promisify(execFile)(process.execPath, [cli, OPENAPI_DOCUMENT_PATH], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe('client types and the OpenAPI document', () => {
  test('committed types match regeneration', async () => {
    // On failure, regenerate: npm run generate --prefix clients/typescript
    const regenerated = await generateTypes();

    const committed = readFileSync(GENERATED_TYPES_PATH, 'utf8');

    expect(regenerated).toContain('export interface operations');
    expect(committed).toBe(regenerated);
  });

  test.each([
    ['ProjectId', PROJECT_ID_PATTERN],
    ['TaskId', RESOURCE_ID_PATTERN],
    ['VersionId', RESOURCE_ID_PATTERN],
  ])('%s pattern matches the client', (parameter, clientPattern) => {
    const document = parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')) as DocumentParameters;

    const documented = document.components.parameters[parameter]?.schema.pattern;

    expect(documented).toBe(clientPattern.source);
  });
});
