// Validates the OpenAPI document named by the first argument with swagger-parser and prints it,
// dereferenced, as JSON. It runs as a plain Node.js process because swagger-parser 13 loads ES modules
// with require(), which Jest supports only under --experimental-vm-modules.
import SwaggerParser from '@apidevtools/swagger-parser';

const documentPath = process.argv[2];
if (!documentPath) {
  console.error('Usage: node swagger-parser.mjs <openapi.yaml>');
  process.exit(2);
}
try {
  await SwaggerParser.validate(documentPath);
  const dereferenced = await SwaggerParser.dereference(documentPath);
  process.stdout.write(JSON.stringify(dereferenced));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
