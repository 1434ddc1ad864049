import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';

/** Validates a JUnit report against test/fixtures/junit.xsd with libxml2 (xmllint, as WebAssembly). */
export async function validateJunit(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const schema = await readFile(new URL('../fixtures/junit.xsd', import.meta.url), 'utf8');
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: schema }] });
  return { valid: result.valid, errors: result.errors.map((error) => error.rawMessage) };
}
