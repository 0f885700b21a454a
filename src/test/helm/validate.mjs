#!/usr/bin/env node
// Validates rendered Kubernetes manifests (multi-document YAML, as `helm template` prints them)
// against the schemas of the kubernetes-models packages: field types, enumerations and required
// fields. Fields that the schemas do not know are not reported.
//
//   helm template ... | node validate.mjs
//   node validate.mjs rendered.yaml
//
// Prints one line per document: "Kind/name ok", or "Kind/name FAILED: field: problem" for each
// problem found. Exits 0 when every document is valid; 1 when a document is invalid, has a kind
// the models do not know, cannot be parsed, or when there is no document at all; 2 on misuse.
// Run it from a folder whose node_modules holds the packages of package.json beside it.

import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Where the model classes live, tried in order: Kubernetes' own APIs, then custom resources.
const PACKAGES = ["kubernetes-models", "@kubernetes-models/prometheus-operator"];
const GROUP = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

function usage(message) {
  process.stderr.write(`${message}\nusage: node validate.mjs [FILE]   (reads standard input without FILE)\n`);
  process.exit(2);
}

function readInput(args) {
  if (args.length > 1) usage("at most one file");
  try {
    return readFileSync(args.length === 1 ? args[0] : 0, "utf8");
  } catch (e) {
    usage(`cannot read ${args.length === 1 ? args[0] : "standard input"}: ${e.message}`);
  }
}

/** The model class for apiVersion and kind, or null when no package defines one. */
async function modelClass(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if ((group && !GROUP.test(group)) || !VERSION.test(version) || !KIND.test(kind)) {
    return null;
  }
  const path = group ? `${group}/${version}/${kind}` : `${version}/${kind}`;
  for (const pkg of PACKAGES) {
    let module;
    try {
      module = await import(`${pkg}/${path}`);
    } catch (e) {
      if (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") continue;
      throw e;
    }
    // A file of that name may hold a part of a resource (DeploymentSpec): only a class that
    // declares this apiVersion and kind is the resource.
    const model = Object.values(module).find(
      (value) => typeof value === "function" && value.apiVersion === apiVersion && value.kind === kind,
    );
    if (model) return model;
  }
  return null;
}

/** A JSON pointer (/spec/template/spec/containers/0/ports/0) as a field path (spec.template.spec.containers[0].ports[0]). */
function fieldPath(pointer, missing) {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (missing !== undefined) parts.push(missing);
  let path = "";
  for (const part of parts) {
    path += /^[0-9]+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  }
  return path || "(document)";
}

function describe(error) {
  if (error.keyword === "required") {
    return `${fieldPath(error.instancePath, error.params.missingProperty)}: required field is missing`;
  }
  const allowed = error.keyword === "enum" ? ` (${error.params.allowedValues.join(", ")})` : "";
  return `${fieldPath(error.instancePath)}: ${error.message}${allowed}`;
}

async function main() {
  const text = readInput(process.argv.slice(2));
  const documents = parseAllDocuments(text, { version: "1.1" }); // YAML 1.1, as Kubernetes reads it
  const seen = new Map();
  let checked = 0;
  let failed = 0;

  for (const [index, document] of documents.entries()) {
    const where = `document ${index + 1}`;
    if (document.errors.length > 0) {
      checked++;
      failed++;
      for (const error of document.errors) console.log(`${where} FAILED: YAML: ${error.message.split("\n")[0]}`);
      continue;
    }
    const manifest = document.toJS();
    if (manifest === null || manifest === undefined) continue; // comments only
    checked++;
    if (typeof manifest !== "object" || Array.isArray(manifest)) {
      failed++;
      console.log(`${where} FAILED: not a mapping`);
      continue;
    }
    const { apiVersion, kind } = manifest;
    const name = manifest.metadata?.name ?? manifest.metadata?.generateName;
    const label = `${kind ?? "(no kind)"}/${name ?? "(no name)"}`;
    const problems = [];
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      problems.push("apiVersion and kind: required strings");
    } else {
      const model = await modelClass(apiVersion, kind);
      if (model === null) {
        problems.push(`apiVersion ${apiVersion}, kind ${kind}: not a resource that the models know`);
      } else {
        try {
          new model(manifest).validate();
        } catch (e) {
          if (!Array.isArray(e.errors)) throw e;
          problems.push(...e.errors.map(describe));
        }
      }
      if (typeof name !== "string" || name === "") {
        problems.push("metadata.name: required field is missing");
      } else {
        const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
        const key = `${group}/${kind}/${manifest.metadata.namespace ?? ""}/${name}`;
        if (seen.has(key)) problems.push(`metadata.name: the same ${kind} as ${seen.get(key)}`);
        else seen.set(key, where);
      }
    }
    if (problems.length === 0) {
      console.log(`${label} ok`);
    } else {
      failed++;
      for (const problem of problems) console.log(`${label} FAILED: ${problem}`);
    }
  }

  if (checked === 0 && failed === 0) {
    console.log("FAILED: no manifest in the input");
    process.exit(1);
  }
  console.log(`${checked} manifest(s), ${failed} invalid`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
