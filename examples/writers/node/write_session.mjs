#!/usr/bin/env node
// Write SESSION_DIR/session.yaml from Node.js (e.g. a Bonsai or Electron rig front end).
//
//   node write_session.mjs --schema ../../../schemas/session.schema.json \
//     --dir /data/lab/M001/2024-05-01_10-00-00 --subject M001 --datetime now \
//     --experimenter alice --project vision --note "first try" --attribute rig=rig-1 \
//     --number laser_mw=3.5 --boolean opto=true
//
// The record is checked against the published JSON Schema (ajv, draft 2020-12) before
// anything is written; every scalar is written as a JSON string, which is also a valid YAML
// double-quoted scalar, so no YAML library is needed and no value can be misread. The file
// is written atomically (temporary file, fsync, hard link to the final name), and an
// existing sidecar is never replaced. Registries and duplicates are checked by
// `session-files validate` (or write through `session-files new`, which checks them first).
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, linkSync, unlinkSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Ajv2020 from "ajv/dist/2020.js";

const { values } = parseArgs({
  options: {
    schema: { type: "string" },
    dir: { type: "string" },
    subject: { type: "string" },
    datetime: { type: "string" },
    experimenter: { type: "string", multiple: true, default: [] },
    project: { type: "string", multiple: true, default: [] },
    note: { type: "string" },
    attribute: { type: "string", multiple: true, default: [] },
    number: { type: "string", multiple: true, default: [] },
    boolean: { type: "string", multiple: true, default: [] },
  },
});

function fail(message) {
  process.stderr.write(`not written: ${message}\n`);
  process.exit(1);
}

// Naive local time, whole seconds: what DataJoint's datetime keeps.
function localNow() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function pairs(list, convert) {
  return list.map((text) => {
    const at = text.indexOf("=");
    if (at < 1) fail(`${text}: write it as NAME=VALUE`);
    return [text.slice(0, at), convert(text.slice(at + 1))];
  });
}

if (!values.schema || !values.dir) fail("--schema and --dir are required");
const record = {
  subject: values.subject,
  session_datetime: values.datetime === "now" ? localNow() : values.datetime,
};
if (values.experimenter.length) record.experimenters = values.experimenter;
if (values.project.length) record.projects = values.project;
if (values.note !== undefined) record.note = values.note;
const attributes = Object.fromEntries([
  ...pairs(values.attribute, (v) => v),
  ...pairs(values.number, (v) => (Number.isFinite(Number(v)) ? Number(v) : fail(`${v} is not a number`))),
  ...pairs(values.boolean, (v) => (v === "true" ? true : v === "false" ? false : fail(`${v} is not true or false`))),
]);
if (Object.keys(attributes).length) record.attributes = attributes;

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(readFileSync(values.schema, "utf8")));
if (!validate(record)) {
  fail(validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).join("; "));
}

// A scalar as YAML: strings as JSON strings (valid YAML double-quoted scalars), numbers and
// booleans as JSON writes them (the text session-files stores), except a number in exponent
// form (1e+21), which YAML 1.1 and 1.2 readers read differently: that one is quoted.
const scalar = (value) => {
  const json = JSON.stringify(value);
  return typeof value === "number" && /e/i.test(json) ? JSON.stringify(json) : json;
};
const lines = [
  `subject: ${scalar(record.subject)}`,
  `session_datetime: ${scalar(record.session_datetime)}`,
];
if (record.experimenters) lines.push(`experimenters: [${record.experimenters.map(scalar).join(", ")}]`);
if (record.projects) lines.push(`projects: [${record.projects.map(scalar).join(", ")}]`);
if (record.note !== undefined) lines.push(`note: ${scalar(record.note)}`);
if (record.attributes) {
  lines.push("attributes:");
  for (const [name, value] of Object.entries(record.attributes)) lines.push(`  ${scalar(name)}: ${scalar(value)}`);
}
const text = lines.join("\n") + "\n";

mkdirSync(values.dir, { recursive: true });
const target = join(values.dir, "session.yaml");
const temp = join(values.dir, `.session.yaml.${randomBytes(6).toString("hex")}.tmp`);
const fd = openSync(temp, "wx", 0o666);
try {
  writeSync(fd, text);
  fsyncSync(fd);
} finally {
  closeSync(fd);
}
try {
  linkSync(temp, target); // fails if a sidecar exists: never replaced
} catch (error) {
  unlinkSync(temp);
  fail(error.code === "EEXIST" ? `${target} exists` : String(error));
}
unlinkSync(temp);
process.stdout.write(`wrote ${target}\n`);
