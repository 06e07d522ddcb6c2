// Unit tests for the parts of the extension that do not need VS Code (node --test).
// Run: npm test   (bundled by esbuild to out/test/unit.test.js first)
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type * as vscode from "vscode";
import { findServer, platformDir } from "../serverPath";
import { serverSettings } from "../settings";

/** A WorkspaceConfiguration over `user` (what the user set) and `defaults` (package.json). */
function config(user: Record<string, unknown>): vscode.WorkspaceConfiguration {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const props = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;
  const defaults = (key: string) => props[`restate.${key}`]?.default;
  return {
    get: <T>(key: string, fallback?: T) => (key in user ? user[key] : (defaults(key) ?? fallback)) as T,
    has: (key: string) => key in user || `restate.${key}` in props,
    inspect: (key: string) => ({ key: `restate.${key}`, defaultValue: defaults(key), globalValue: user[key] }),
    update: async () => undefined,
  } as unknown as vscode.WorkspaceConfiguration;
}

test("defaults send nothing, so restate-lsp.toml stays in force", () => {
  assert.deepEqual(serverSettings(config({})), {});
});

test("settings are sent in the server's shape", () => {
  const got = serverSettings(
    config({
      rules: { RS1007: "off", rs1001: "ERROR", RS1002: "loud" },
      "side-effects.functions": ["github.com/acme/payments.Charge", ""],
      "blocked-key.threshold": " 90s ",
      "idempotency.critical": ["Svc/Handler"],
      "unknown-target.known-services": ["Inventory"],
    }),
  );
  assert.deepEqual(got, {
    rules: { RS1007: "off", RS1001: "error" },
    "side-effects": { functions: ["github.com/acme/payments.Charge"] },
    "blocked-key": { threshold: "90s" },
    idempotency: { critical: ["Svc/Handler"] },
    "unknown-target": { "known-services": ["Inventory"] },
  });
});

test("an explicitly empty list is sent (it overrides the file)", () => {
  assert.deepEqual(serverSettings(config({ "side-effects.receivers": [] })), { "side-effects": { receivers: [] } });
});

test("server lookup: setting, then RESTATE_LSP_PATH, then bundled, then PATH", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "restate-ext-"));
  const exe = (p: string) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, "#!/bin/sh\n");
    fs.chmodSync(p, 0o755);
    return p;
  };
  const ext = path.join(dir, "ext");
  const envBin = exe(path.join(dir, "env", "restate-lsp"));
  const pathBin = exe(path.join(dir, "bin", "restate-lsp"));
  const saved = { env: process.env.RESTATE_LSP_PATH, path: process.env.PATH, home: process.env.HOME };
  try {
    process.env.PATH = path.join(dir, "bin");
    process.env.HOME = dir; // no ~/.cargo/bin there
    delete process.env.RESTATE_LSP_PATH;
    assert.deepEqual(await findServer(null, ext), { command: pathBin, source: "path" });
    const bundled = exe(path.join(ext, "server", platformDir(), "restate-lsp"));
    assert.deepEqual(await findServer("", ext), { command: bundled, source: "bundled" });
    process.env.RESTATE_LSP_PATH = envBin;
    assert.deepEqual(await findServer(undefined, ext), { command: envBin, source: "env" });
    const setting = exe(path.join(dir, "setting", "restate-lsp"));
    assert.deepEqual(await findServer(setting, ext), { command: setting, source: "setting" });
    const missing = await findServer("~/nope/restate-lsp", ext);
    assert.ok("badConfigured" in missing && missing.badConfigured === path.join(os.homedir(), "nope", "restate-lsp"));
    process.env.PATH = "";
    delete process.env.RESTATE_LSP_PATH;
    fs.rmSync(path.join(ext, "server"), { recursive: true });
    const none = await findServer(null, ext);
    assert.ok("tried" in none && none.tried.length === 2, JSON.stringify(none));
  } finally {
    process.env.PATH = saved.path;
    process.env.HOME = saved.home;
    if (saved.env === undefined) delete process.env.RESTATE_LSP_PATH;
    else process.env.RESTATE_LSP_PATH = saved.env;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
