#!/usr/bin/env node
// Validates Kubernetes manifests against the real schemas: every YAML document of every
// file given is looked up by apiVersion/kind in the npm `kubernetes-models` packages
// (core kinds) and `@kubernetes-models/argo-workflows` (Workflow, WorkflowTemplate,
// CronWorkflow, ...) and checked with the model's .validate(). Like the API server's
// strict field validation (kubectl's default), a field that the schema does not declare
// is an error too, except inside free-form objects (maps such as labels, or JSON values).
//
//   node validate.mjs FILE.yaml...      exit 0: all valid; 1: an error; 2: bad usage
//
// YAML is read as YAML 1.1, as Kubernetes reads it (unquoted yes/no/on/off are booleans),
// and a duplicate key is an error.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const groups = {
  "argoproj.io/v1alpha1": "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1",
};

// The model class for apiVersion/kind, or a string saying why there is none.
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return "the document has no string apiVersion and kind";
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    return `unknown kind ${apiVersion}/${kind}`;
  }
  const base = groups[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  try {
    const mod = await import(`${base}/${kind}`);
    if (typeof mod[kind]?.prototype?.validate === "function") return mod[kind];
  } catch {
    // not a published model: reported below
  }
  return `unknown kind ${apiVersion}/${kind} (no schema in kubernetes-models or @kubernetes-models/argo-workflows)`;
}

// Wraps a JSON value so that the schema's validator records which keys it reads on each
// object. The compiled validators read every property their schema declares (present or
// not) and enumerate the keys only of maps (additionalProperties); an object whose keys
// were read but never enumerated has a fixed set of fields, and any other key is unknown.
function tracked(root) {
  const info = new Map(); // target object -> {path, read: Set, enumerated}
  const proxies = new WeakMap();
  function wrap(value, path) {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const rec = { path, read: new Set(), enumerated: false };
    if (!Array.isArray(value)) info.set(value, rec);
    const proxy = new Proxy(value, {
      get(t, key, recv) {
        if (typeof key === "string") {
          rec.read.add(key);
          if (Object.prototype.hasOwnProperty.call(t, key)) return wrap(t[key], `${path}/${key}`);
        }
        return Reflect.get(t, key, recv);
      },
      has(t, key) {
        if (typeof key === "string") rec.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        rec.enumerated = true;
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, key) {
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  }
  const unknown = () => {
    const out = [];
    for (const [obj, rec] of info) {
      if (rec.enumerated || rec.read.size === 0) continue;
      for (const key of Object.keys(obj)) {
        if (!rec.read.has(key)) out.push({ path: `${rec.path}/${key}`, message: `unknown field "${key}"` });
      }
    }
    return out;
  };
  return { proxy: wrap(root, ""), unknown };
}

function show(doc) {
  const text = JSON.stringify(doc, null, 2);
  return text.length > 4000 ? `${text.slice(0, 4000)}\n... (${text.length} characters)` : text;
}

async function validateDoc(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return [{ path: "", message: "a document must be a mapping" }];
  }
  const model = await modelFor(doc.apiVersion, doc.kind);
  if (typeof model === "string") return [{ path: "", message: model }];
  const t = tracked(doc);
  const errors = [];
  try {
    model.prototype.validate.call(t.proxy);
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    for (const err of e.errors) {
      errors.push({ path: err.instancePath || "/", message: err.message ?? err.keyword });
    }
  }
  return errors.concat(t.unknown());
}

async function main(files) {
  if (files.length === 0 || files.some((f) => f.startsWith("-"))) {
    process.stderr.write("usage: node validate.mjs FILE.yaml...\n");
    return 2;
  }
  let bad = 0;
  let count = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      process.stderr.write(`${file}: cannot read: ${e.message}\n`);
      return 2;
    }
    const docs = parseAllDocuments(text, { version: "1.1", uniqueKeys: true });
    for (const [i, d] of docs.entries()) {
      const where = `${file}: document ${i + 1}`;
      if (d.errors.length) {
        bad++;
        process.stdout.write(`${where}: YAML error: ${d.errors.map((e) => e.message).join("; ")}\n`);
        continue;
      }
      const doc = d.toJS({ maxAliasCount: 100 });
      if (doc === null || doc === undefined) continue; // an empty document (a trailing ---)
      count++;
      const errors = await validateDoc(doc);
      if (errors.length) {
        bad++;
        const name = `${doc?.apiVersion}/${doc?.kind} ${doc?.metadata?.name ?? doc?.metadata?.generateName ?? ""}`;
        process.stdout.write(`${where} (${name}) is invalid:\n`);
        for (const e of errors) process.stdout.write(`  at ${e.path}: ${e.message}\n`);
        process.stdout.write(`${show(doc)}\n`);
      }
    }
  }
  process.stdout.write(`validate: ${count - bad} of ${count} documents valid in ${files.length} file(s)\n`);
  return bad ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
