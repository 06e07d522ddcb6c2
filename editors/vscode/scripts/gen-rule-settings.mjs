#!/usr/bin/env node
// Regenerates the `restate.rules` setting in package.json from docs/rules/RS*.md: one property per
// rule ID (enum off|hint|info|warning|error) with the rule's name and default severity.
//   node scripts/gen-rule-settings.mjs          rewrite package.json
//   node scripts/gen-rule-settings.mjs --check  exit 1 when package.json is out of date
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgPath = join(here, "..", "package.json");
const rulesDir = process.env.RULES_DIR ?? join(here, "..", "..", "..", "docs", "rules");

const ids = readdirSync(rulesDir)
  .filter((f) => /^RS\d{4}\.md$/.test(f))
  .map((f) => f.slice(0, -3))
  .sort();
if (ids.length === 0) {
  console.error(`no RS????.md files in ${rulesDir}`);
  process.exit(2);
}

const properties = {};
for (const id of ids) {
  const text = readFileSync(join(rulesDir, `${id}.md`), "utf8");
  const name = (text.match(/^# RS\d{4}\s+(\S+)/m) ?? [])[1] ?? "";
  const summary = (text.split(/\n\s*\n/)[1] ?? "").replace(/\s+/g, " ").trim();
  const def = ((text.match(/^Default severity:\s*(.+)$/m) ?? [])[1] ?? "").trim();
  const short = summary.length > 200 ? summary.slice(0, 197).replace(/\s+\S*$/, "") + "…" : summary;
  properties[id] = {
    type: "string",
    enum: ["off", "hint", "info", "warning", "error"],
    markdownDescription: `**${id} ${name}** (default: ${def}). ${short} Run \`Restate: Explain Rule\` for the full page.`,
  };
}

const raw = readFileSync(pkgPath, "utf8");
const pkg = JSON.parse(raw);
const props = pkg.contributes.configuration.properties;
props["restate.rules"].properties = properties;
const out = JSON.stringify(pkg, null, 2) + "\n";
if (process.argv.includes("--check")) {
  if (out !== raw) {
    console.error("package.json: restate.rules is out of date; run node scripts/gen-rule-settings.mjs");
    process.exit(1);
  }
  console.log(`package.json: restate.rules lists the ${ids.length} rules`);
} else {
  writeFileSync(pkgPath, out);
  console.log(`package.json: restate.rules now lists ${ids.length} rules`);
}
