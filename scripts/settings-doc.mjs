// Writes the settings table of cli/src/config.ts into docs/operations.md (after `npm run build`).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsTable } from '../dist/cli/src/config.js';

const doc = fileURLToPath(new URL('../docs/operations.md', import.meta.url));
const text = fs.readFileSync(doc, 'utf8');
const section = /(<!-- settings:begin -->\n)[\s\S]*?(<!-- settings:end -->)/;
if (!section.test(text)) throw new Error('docs/operations.md: expected <!-- settings:begin --> … <!-- settings:end -->');
fs.writeFileSync(doc, text.replace(section, `$1${settingsTable()}\n$2`));
