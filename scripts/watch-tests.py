#!/usr/bin/env python3
"""Runs a test command and stops it if it hangs, saying where.

`swift test` that waits forever (a deadlock) would otherwise sit until CI's own limit and
leave nothing but the last log lines. This runs the command with its output passed through,
and when nothing has been printed for --idle seconds, or the run passes --limit seconds, it
prints the tests that started and never ended, writes every thread's stack (gdb) to a file
and prints it, kills the command and exits 124.

    scripts/watch-tests.py --idle 600 --limit 1800 -- swift test --skip-build
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r'Test (\S.*?) started\.')
ENDED = re.compile(r'Test (\S.*?) (?:passed|failed|skipped)')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=600, help="seconds without output before the run is called hung")
    parser.add_argument("--limit", type=float, default=3600, help="seconds the whole run may take")
    parser.add_argument("--stacks", default=".build/hung-test-stacks.txt", help="where the threads' stacks are written")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = {}
    last_output = [time.monotonic()]
    lock = threading.Lock()

    def pump():
        for raw in iter(process.stdout.readline, b""):
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            line = raw.decode("utf-8", "replace")
            with lock:
                last_output[0] = time.monotonic()
                for name in STARTED.findall(line):
                    running[name] = running.get(name, 0) + 1
                for name in ENDED.findall(line):
                    name = name.split(" with ")[0]
                    if running.get(name, 0) > 1:
                        running[name] -= 1
                    else:
                        running.pop(name, None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    begun = time.monotonic()
    while process.poll() is None:
        time.sleep(5)
        with lock:
            idle = time.monotonic() - last_output[0]
        total = time.monotonic() - begun
        if idle < args.idle and total < args.limit:
            continue
        why = f"{int(idle)} 秒无输出" if idle >= args.idle else f"超过总时限 {int(args.limit)} 秒"
        with lock:
            unfinished = sorted(running)
        dump_stacks(process.pid, args.stacks)
        os.killpg(process.pid, signal.SIGKILL)
        # Last, so that a log shown by its tail shows it.
        print(f"\n== 测试疑似挂起（{why}），已停止；以下 {len(unfinished)} 个测试已开始未结束：", flush=True)
        for name in unfinished:
            print(f"   {name}", flush=True)
        process.wait()
        sys.exit(124)
    reader.join(timeout=10)
    sys.exit(process.returncode)


def dump_stacks(pid, path):
    """Every thread of the test process (the command's child, if it forked one)."""
    targets = [pid] + children(pid)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as out:
        for target in targets:
            out.write(f"==== pid {target}: {read(f'/proc/{target}/cmdline').replace(chr(0), ' ')}\n")
            out.flush()
            try:
                subprocess.run(["gdb", "-p", str(target), "-batch", "-ex", "thread apply all bt 40"],
                               stdout=out, stderr=subprocess.STDOUT, timeout=180)
            except (OSError, subprocess.TimeoutExpired) as error:
                out.write(f"(gdb: {error})\n")
    print(f"== 各线程调用栈（全文见 {path}）：", flush=True)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.readlines()
    sys.stdout.write("".join(lines[:4000]))
    if len(lines) > 4000:
        print(f"…（其余 {len(lines) - 4000} 行见文件）")
    sys.stdout.flush()


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in read(f"/proc/{pid}/task/{task}/children").split():
                found.append(int(child))
                found += children(int(child))
    except OSError:
        pass
    return found


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


if __name__ == "__main__":
    main()
