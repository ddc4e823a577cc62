// Derives JSON Schemas for policy authors from the proto, so that
// `opa check --strict --schema proto/schemas` type-checks every rule against
// the exact shape the engine hands policies as `input` (see toPolicyInput).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoFile = path.resolve(here, '..', 'vigil', 'v1', 'vigil.proto');
const outDir = path.resolve(here, '..', 'schemas');

const root = new protobuf.Root().loadSync(protoFile, { keepCase: true, alternateCommentMode: true });
root.resolveAll();

const SCALARS = {
  string: { type: 'string' },
  bytes: { type: 'string' },
  bool: { type: 'boolean' },
};

function fieldSchema(field) {
  const scalar = SCALARS[field.type];
  let item;
  if (scalar) item = { ...scalar };
  else if (field.resolvedType instanceof protobuf.Enum) {
    item = { type: 'string', enum: Object.keys(field.resolvedType.values) };
  } else if (field.resolvedType instanceof protobuf.Type) {
    item = messageSchema(field.resolvedType);
  } else item = { type: 'number' };
  if (field.comment) item.description = field.comment;
  if (field.map) return { type: 'object', additionalProperties: item };
  if (field.repeated) return { type: 'array', items: item };
  return item;
}

function messageSchema(type) {
  const properties = {};
  for (const field of type.fieldsArray) properties[field.name] = fieldSchema(field);
  const schema = { type: 'object', properties, additionalProperties: false };
  if (type.comment) schema.description = type.comment;
  return schema;
}

const fact = root.lookupType('vigil.v1.Fact');
const factSchema = messageSchema(fact);
const kinds = fact.oneofs.kind.fieldsArray.map((f) => f.name);
factSchema.properties.kind = {
  type: 'string',
  enum: kinds,
  description: 'Which fact kind this is; the property of that name holds it.',
};
// What the engine attaches beside a fact for rules that declare custom.context (engine/src/context).
const partOf = (name) => messageSchema(fact.fields[name].resolvedType);
factSchema.properties.context = {
  type: 'object',
  description: 'The latest facts Vigil holds about this fact\'s subject, for rules that declare custom.context.',
  properties: {
    container: { ...partOf('container'), description: 'The latest container fact of the container the event comes from.' },
    image: { ...partOf('image'), description: 'The latest image fact of its image.' },
    host: { ...partOf('host'), description: 'The latest host fact of the host that reported it.' },
    profile: { type: 'object', description: "The workload's profile in data.vigil.profiles (hand-written, or learned and enforcing), when it has one." },
    missing: { type: 'array', items: { type: 'string', enum: ['container', 'image', 'host'] }, description: 'Context the rules read that the engine did not hold yet.' },
  },
  additionalProperties: false,
};
factSchema.$schema = 'http://json-schema.org/draft-07/schema#';
factSchema.title = 'Vigil policy input (vigil.v1.Fact)';

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'fact.json'), JSON.stringify(factSchema, null, 2) + '\n');
for (const name of ['Finding', 'Verdict', 'Alert']) {
  const schema = messageSchema(root.lookupType(`vigil.v1.${name}`));
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  fs.writeFileSync(path.join(outDir, `${name.toLowerCase()}.json`), JSON.stringify(schema, null, 2) + '\n');
}
console.log(`schemas: ${kinds.length} fact kinds → ${path.relative(process.cwd(), outDir)}`);
