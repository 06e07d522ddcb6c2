// The extension's settings -> the server's settings shape:
//   { "rules": {"RS1007": "off"}, "side-effects": {"functions": [..], "receivers": [..]},
//     "blocked-key": {"threshold": "1m"}, "idempotency": {"critical": [..]},
//     "unknown-target": {"known-services": [..]} }
// Only settings the user actually set are sent, so values from restate-lsp.toml stay in force for
// the rest (the server lets client settings win over the file key by key).
import type * as vscode from "vscode";

export const SEVERITIES = ["off", "hint", "info", "warning", "error"] as const;

type Json = Record<string, unknown>;

/** Was `key` given a value in user, workspace or folder settings (not just the default)? */
function isSet(cfg: vscode.WorkspaceConfiguration, key: string): boolean {
  const i = cfg.inspect(key);
  if (!i) return false;
  return [i.globalValue, i.workspaceValue, i.workspaceFolderValue, i.globalLanguageValue, i.workspaceLanguageValue, i.workspaceFolderLanguageValue].some(
    (v) => v !== undefined && v !== null,
  );
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string" && s.trim() !== "").map((s) => s.trim()) : [];
}

/** `cfg` is `workspace.getConfiguration("restate")`. */
export function serverSettings(cfg: vscode.WorkspaceConfiguration): Json {
  const out: Json = {};

  const rules: Record<string, string> = {};
  const rawRules = cfg.get<Record<string, unknown>>("rules") ?? {};
  for (const [id, sev] of Object.entries(rawRules)) {
    if (typeof sev === "string" && (SEVERITIES as readonly string[]).includes(sev.toLowerCase())) {
      rules[id.toUpperCase()] = sev.toLowerCase();
    }
  }
  if (Object.keys(rules).length > 0) out["rules"] = rules;

  const sideEffects: Json = {};
  if (isSet(cfg, "side-effects.functions")) sideEffects["functions"] = stringList(cfg.get("side-effects.functions"));
  if (isSet(cfg, "side-effects.receivers")) sideEffects["receivers"] = stringList(cfg.get("side-effects.receivers"));
  if (Object.keys(sideEffects).length > 0) out["side-effects"] = sideEffects;

  const threshold = (cfg.get<string | null>("blocked-key.threshold") ?? "").trim();
  if (threshold !== "") out["blocked-key"] = { threshold };

  if (isSet(cfg, "idempotency.critical")) out["idempotency"] = { critical: stringList(cfg.get("idempotency.critical")) };

  if (isSet(cfg, "unknown-target.known-services")) {
    out["unknown-target"] = { "known-services": stringList(cfg.get("unknown-target.known-services")) };
  }
  return out;
}

/** Settings keys whose change is sent to the running server (the rest restart it or are client-side). */
export const ANALYSIS_SECTIONS = ["rules", "side-effects", "blocked-key", "idempotency", "unknown-target"].map((s) => `restate.${s}`);
