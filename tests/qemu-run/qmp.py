# qmp.py: a minimal QMP client and a QEMU process wrapper for the
# qemu-run integration test (python3 standard library only).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import ctypes
import json
import os
import signal
import socket
import subprocess
import time

PR_SET_PDEATHSIG = 1

# Every QEMU started here, so that nothing outlives the test run.
_RUNNING = set()


def _die_with_parent():
    """Runs in the child before exec: QEMU gets SIGKILL if the test dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass
    os.setpgid(0, 0)


def kill_all():
    """Kills every QEMU this module started and still runs."""
    for vm in list(_RUNNING):
        vm.stop()


class QmpError(Exception):
    pass


class Qmp:
    """One QMP connection: commands are answered in order, events are kept."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError("no QMP greeting: %r" % greeting)
        ok, resp = self.cmd("qmp_capabilities")
        if not ok:
            raise QmpError("qmp_capabilities refused: %r" % resp)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, obj):
        """Sends a command object; returns (True, return value) or
        (False, error object)."""
        self.sock.sendall(json.dumps(obj).encode() + b"\n")
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
                continue
            if "return" in msg:
                return True, msg["return"]
            if "error" in msg:
                return False, msg["error"]
            raise QmpError("unexpected QMP message %r" % msg)

    def cmd(self, execute, arguments=None):
        obj = {"execute": execute}
        if arguments is not None:
            obj["arguments"] = arguments
        return self.send_raw(obj)

    def must(self, execute, arguments=None):
        ok, resp = self.cmd(execute, arguments)
        if not ok:
            raise QmpError("%s failed: %s" % (execute, resp.get("desc", resp)))
        return resp

    def wait_event(self, name, match, timeout=5.0):
        """Waits for event @name whose data contains @match."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name and all(
                        ev.get("data", {}).get(k) == v for k, v in match.items()):
                    self.events.remove(ev)
                    return ev
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            old = self.sock.gettimeout()
            self.sock.settimeout(left)
            try:
                msg = self._read()
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(old)
            if "event" in msg:
                self.events.append(msg)


class Vm:
    """A paused QEMU (-S) with a QMP socket in @workdir."""

    def __init__(self, qemu, machine, extra_args, workdir, name):
        self.sock_path = os.path.join(workdir, name + ".qmp")
        self.log_path = os.path.join(workdir, name + ".log")
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        self.argv = [qemu, "-machine", machine + ",accel=tcg", "-S", "-nodefaults",
                     "-display", "none", "-no-user-config", "-m", "64",
                     "-qmp", "unix:%s,server=on,wait=off" % self.sock_path] + list(extra_args)
        self.proc = None
        self.qmp = None

    def start(self, timeout=15.0):
        """Starts QEMU; returns None or the reason it did not come up."""
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=_die_with_parent)
        finally:
            log.close()
        _RUNNING.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "QEMU exited with status %d: %s" % (self.proc.returncode, self.log())
            if os.path.exists(self.sock_path):
                try:
                    self.qmp = Qmp(self.sock_path)
                    return None
                except (OSError, QmpError):
                    pass  # not listening yet, or QEMU is exiting: poll again
            time.sleep(0.02)
        self.stop()
        return "QEMU did not open its QMP socket in %.0f s (%s)" % (timeout, self.log())

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace").strip()
        except OSError:
            return ""

    def stop(self):
        if self.qmp:
            try:
                self.qmp.sock.settimeout(2.0)
                self.qmp.cmd("quit")
            except (OSError, QmpError, ValueError):
                pass
            self.qmp.close()
            self.qmp = None
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _RUNNING.discard(self)
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
