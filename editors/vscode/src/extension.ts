// VS Code client for restate-lsp: starts the server for Go files next to the Go extension (gopls).
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  type Executable,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import { ANALYSIS_SECTIONS, serverSettings } from "./settings";
import { findServer, platformDir, type Found } from "./serverPath";

const CLIENT_ID = "restate"; // makes vscode-languageclient honour `restate.trace.server`
const RULE_DOC_SCHEME = "restate-rule";

let client: LanguageClient | undefined;
let server: Found | undefined;
let log: vscode.LogOutputChannel;
let queue: Promise<void> = Promise.resolve();
let lastSettings = "{}";

/** Run lifecycle operations one at a time (restart requests can overlap). */
function serialize(op: () => Promise<void>): Promise<void> {
  queue = queue.then(op, op).catch((e: unknown) => log.error(`restate-lsp: ${String(e)}`));
  return queue;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("Restate", { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand("restate.restartServer", () => serialize(() => restart(context))),
    vscode.commands.registerCommand("restate.showOutput", () => log.show(true)),
    vscode.commands.registerCommand("restate.explainRule", (id?: unknown) => explainRule(context, id)),
    vscode.commands.registerCommand("restate.migrateModule", (uri?: unknown) => migrateModule(uri)),
    vscode.commands.registerCommand("restate.copyIngressCurl", (cmd?: unknown) => copyIngressCurl(cmd)),
    vscode.commands.registerCommand("restate.showReferences", (uri?: unknown, pos?: unknown, locs?: unknown) =>
      showReferences(uri, pos, locs),
    ),
    vscode.workspace.registerTextDocumentContentProvider(RULE_DOC_SCHEME, new RuleDocs(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("restate.server")) {
        void serialize(() => restart(context));
      } else if (ANALYSIS_SECTIONS.some((s) => e.affectsConfiguration(s))) {
        void serialize(() => pushSettings(context));
      }
    }),
  );
  await serialize(() => restart(context));
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

function currentSettings(): Record<string, unknown> {
  return serverSettings(vscode.workspace.getConfiguration("restate"));
}

/** Send changed analysis settings to the running server; restart it when they were all removed
 *  (an empty settings object leaves the server's previous client settings in force). */
async function pushSettings(context: vscode.ExtensionContext): Promise<void> {
  const settings = currentSettings();
  const json = JSON.stringify(settings);
  if (json === lastSettings) return;
  if (!client || client.state !== State.Running || Object.keys(settings).length === 0) {
    return restart(context);
  }
  lastSettings = json;
  log.info(`sending settings ${json}`);
  await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
}

async function locateServer(context: vscode.ExtensionContext): Promise<Found | undefined> {
  const configured = vscode.workspace.getConfiguration("restate").get<string | null>("server.path");
  const found = await findServer(configured, context.extensionPath);
  if ("command" in found) return found;
  const what = found.badConfigured
    ? `restate.server.path points to ${found.badConfigured}, which is not an executable file.`
    : `The restate-lsp binary was not found (tried ${found.tried.join(", ")}). This extension has no bundled server for ${platformDir()}.`;
  log.error(what);
  const settings = "Open Settings";
  const output = "Show Output";
  void vscode.window
    .showErrorMessage(
      `Restate: ${what} Set "restate.server.path" to the binary, or install it with \`cargo install --path .\` in a restate-lsp checkout (it goes to ~/.cargo/bin), then run "Restate: Restart Server".`,
      settings,
      output,
    )
    .then((choice) => {
      if (choice === settings) void vscode.commands.executeCommand("workbench.action.openSettings", "restate.server.path");
      if (choice === output) log.show(true);
    });
  return undefined;
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    try {
      if (old.needsStop()) await old.stop(5000);
    } catch (e) {
      log.warn(`stopping the old server: ${String(e)}`);
    }
    await old.dispose().catch(() => undefined);
  }
  server = await locateServer(context);
  if (!server) return;

  const cfg = vscode.workspace.getConfiguration("restate");
  const extraEnv = cfg.get<Record<string, string> | null>("server.extraEnv") ?? {};
  const run: Executable = {
    command: server.command,
    args: [],
    options: { env: { ...process.env, ...extraEnv } },
  };
  const serverOptions: ServerOptions = { run, debug: run };
  const settings = currentSettings();
  lastSettings = JSON.stringify(settings);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "go" },
      { scheme: "untitled", language: "go" },
      // go.mod carries the notice of a module that pins sdk-go 0.x, with the migration action.
      { scheme: "file", language: "go.mod" },
      { scheme: "file", pattern: "**/go.mod" },
    ],
    outputChannel: log,
    initializationOptions: settings,
    markdown: { isTrusted: false, supportHtml: false },
    middleware: {
      workspace: {
        // The server pulls the "restate" section; answer in its shape, not VS Code's (which would
        // carry client-only keys and every default).
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return params.items.map((item, i) => {
            if (item.section !== "restate") return result[i];
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(vscode.workspace.getConfiguration("restate", scope));
          });
        },
      },
    },
  };
  client = new LanguageClient(CLIENT_ID, "Restate", serverOptions, clientOptions);
  log.info(`starting ${server.command} (${server.source}) with settings ${lastSettings}`);
  try {
    await client.start();
  } catch (e) {
    log.error(`the server did not start: ${String(e)}`);
    void vscode.window.showErrorMessage(`Restate: ${server.command} did not start (${String(e)}). See "Restate: Show Output".`);
  }
}

// ---- restate.explainRule --------------------------------------------------------------------------

function ruleIds(context: vscode.ExtensionContext): { id: string; description: string }[] {
  const props = context.extension.packageJSON?.contributes?.configuration?.properties?.["restate.rules"]?.properties ?? {};
  return Object.entries(props as Record<string, { markdownDescription?: string }>).map(([id, p]) => ({
    id,
    description: (p.markdownDescription ?? "").replace(/^\*\*RS\d{4} ([^*]+)\*\*.*$/s, "$1"),
  }));
}

function runExplain(command: string, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, ["explain", id], { timeout: 10000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim()));
      else resolve(stdout);
    });
  });
}

/** restate-rule:/RS1002.md -> the output of `restate-lsp explain RS1002` (read-only document). */
class RuleDocs implements vscode.TextDocumentContentProvider {
  constructor(private readonly context: vscode.ExtensionContext) {}
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, "").replace(/\.md$/, "");
    const found = server ?? (await locateServer(this.context));
    if (!found) return `# ${id}\n\nThe restate-lsp binary was not found; see "Restate: Show Output".\n`;
    try {
      return await runExplain(found.command, id);
    } catch (e) {
      return `# ${id}\n\n\`restate-lsp explain ${id}\` failed:\n\n\`\`\`\n${String(e)}\n\`\`\`\n`;
    }
  }
}

async function explainRule(context: vscode.ExtensionContext, arg?: unknown): Promise<void> {
  let id = typeof arg === "string" ? arg : undefined;
  if (!id) {
    const pick = await vscode.window.showQuickPick(
      ruleIds(context).map((r) => ({ label: r.id, description: r.description })),
      { placeHolder: "Rule ID, e.g. RS1002", matchOnDescription: true },
    );
    id = pick?.label;
  }
  if (!id) return;
  id = id.trim().toUpperCase();
  if (!/^RS\d{4}$/.test(id)) {
    void vscode.window.showErrorMessage(`Restate: "${id}" is not a rule ID (they look like RS1002).`);
    return;
  }
  const uri = vscode.Uri.from({ scheme: RULE_DOC_SCHEME, path: `/${id}.md` });
  try {
    await vscode.commands.executeCommand("markdown.showPreview", uri);
  } catch {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, "markdown");
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}

// ---- restate.migrateModule ----------------------------------------------------------------------

/** The server's `restate-lsp.migrateModule` for the module of the given (or active) file: it sends
 *  the edit back with workspace/applyEdit, so the change lands in the editor, undoable. */
async function migrateModule(arg?: unknown): Promise<void> {
  if (!client || client.state !== State.Running) {
    void vscode.window.showErrorMessage('Restate: the server is not running; see "Restate: Show Output".');
    return;
  }
  const target = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showErrorMessage("Restate: open a Go file or the go.mod of the module to migrate.");
    return;
  }
  await client.sendRequest(ExecuteCommandRequest.type, {
    command: "restate-lsp.migrateModule",
    arguments: [target.toString()],
  });
}

// ---- restate.copyIngressCurl (called by the server's code lens) ----------------------------------

async function copyIngressCurl(cmd?: unknown): Promise<void> {
  if (typeof cmd !== "string" || cmd.trim() === "") {
    void vscode.window.showErrorMessage("Restate: Copy Ingress curl Command is run from the code lens above a handler.");
    return;
  }
  await vscode.env.clipboard.writeText(cmd);
  const shown = cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd;
  void vscode.window.showInformationMessage(`Restate: copied to the clipboard: ${shown}`);
}

// ---- restate.showReferences (the server's "N callers" code lens) ----------------------------------

/** Arguments in LSP shape (uri string, Position, Location[]) -> the built-in references peek. */
async function showReferences(uri?: unknown, pos?: unknown, locs?: unknown): Promise<void> {
  if (!client || typeof uri !== "string" || !pos || !Array.isArray(locs)) return;
  const c = client.protocol2CodeConverter;
  await vscode.commands.executeCommand(
    "editor.action.showReferences",
    c.asUri(uri),
    c.asPosition(pos as Parameters<typeof c.asPosition>[0]),
    (locs as Parameters<typeof c.asLocation>[0][]).map((l) => c.asLocation(l)),
  );
}
