// Where the restate-lsp binary comes from, in this order:
//   1. the `restate.server.path` setting (`~/` expanded)
//   2. the RESTATE_LSP_PATH environment variable (used by tests)
//   3. the binary bundled in a platform VSIX: <extension>/server/<platform>/restate-lsp
//   4. `restate-lsp` on PATH, then ~/.cargo/bin (where `cargo install` puts it; GUI-launched editors
//      often miss it on PATH)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const BINARY = process.platform === "win32" ? "restate-lsp.exe" : "restate-lsp";

export interface Found {
  command: string;
  source: "setting" | "env" | "bundled" | "path";
}

export interface NotFound {
  /** What was tried, for the error message. */
  tried: string[];
  /** A configured path that does not exist (a mistake worth pointing at). */
  badConfigured?: string;
}

/** `linux-x64`, `darwin-arm64`, `win32-x64`, ... (the VSIX target names). */
export function platformDir(): string {
  return `${process.platform}-${process.arch}`;
}

export function expandHome(p: string): string {
  if (p === "~") return os.homedir();
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(os.homedir(), p.slice(2));
  return p;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await fs.promises.stat(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    await fs.promises.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  dirs.push(path.join(os.homedir(), ".cargo", "bin"));
  for (const d of dirs) {
    const candidate = path.join(d, BINARY);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function findServer(configured: string | null | undefined, extensionPath: string): Promise<Found | NotFound> {
  const tried: string[] = [];
  const setting = (configured ?? "").trim();
  if (setting !== "") {
    const p = expandHome(setting);
    if (await isExecutable(p)) return { command: p, source: "setting" };
    return { tried: [`restate.server.path = ${p}`], badConfigured: p };
  }
  const env = (process.env.RESTATE_LSP_PATH ?? "").trim();
  if (env !== "") {
    const p = expandHome(env);
    if (await isExecutable(p)) return { command: p, source: "env" };
    tried.push(`RESTATE_LSP_PATH = ${p}`);
  }
  const bundled = path.join(extensionPath, "server", platformDir(), BINARY);
  if (await isExecutable(bundled)) return { command: bundled, source: "bundled" };
  tried.push(`bundled ${path.join("server", platformDir(), BINARY)}`);
  const fromPath = await onPath();
  if (fromPath) return { command: fromPath, source: "path" };
  tried.push("PATH and ~/.cargo/bin");
  return { tried };
}
