#!/usr/bin/env python3
"""Measure how the language server indexes a workspace: start it under /usr/bin/time -v, open the
folder, wait for its "indexed N Go files" log message, shut it down, and print wall time to that
message and the server's peak RSS.

Usage: scripts/measure-index.py SERVER_BINARY WORKSPACE_DIR
"""

import json
import os
import re
import subprocess
import sys
import time


def send(proc, msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def read(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def main():
    server, root = sys.argv[1], os.path.abspath(sys.argv[2])
    proc = subprocess.Popen(
        ["/usr/bin/time", "-v", server],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    start = time.monotonic()
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "processId": os.getpid(), "rootUri": "file://" + root, "capabilities": {},
        "workspaceFolders": [{"uri": "file://" + root, "name": "ws"}]}})
    indexed_at = None
    while True:
        msg = read(proc)
        if msg is None:
            sys.exit("server ended before indexing finished")
        if msg.get("id") == 1 and "result" in msg:
            send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        elif "id" in msg and "method" in msg:
            # A request from the server (configuration, registration): answer it plainly.
            result = [None] * len(msg.get("params", {}).get("items", [])) \
                if msg["method"] == "workspace/configuration" else None
            send(proc, {"jsonrpc": "2.0", "id": msg["id"], "result": result})
        elif msg.get("method") == "window/logMessage" and "indexed" in msg["params"]["message"]:
            indexed_at = time.monotonic()
            print(msg["params"]["message"])
            break
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    while (msg := read(proc)) is not None and msg.get("id") != 2:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "exit", "params": None})
    proc.stdin.close()
    err = proc.stderr.read().decode(errors="replace")
    proc.wait()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    cpu_user = re.search(r"User time \(seconds\): ([\d.]+)", err)
    print(f"time to 'indexed': {indexed_at - start:.1f} s")
    if rss:
        print(f"peak RSS: {int(rss.group(1)) / 1024:.0f} MiB")
    if cpu_user:
        print(f"user CPU: {cpu_user.group(1)} s")
    print(f"exit code: {proc.returncode}")


if __name__ == "__main__":
    main()
