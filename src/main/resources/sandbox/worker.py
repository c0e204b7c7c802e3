"""Zerotir sandbox worker: a fork server that runs untrusted Python code.

Started by the Java side (org.zerotir.sandbox.WorkerProcess) as `python3 -I worker.py`. It imports
the heavy modules once, then forks a fresh child for every execution (or keeps one child per session).

Protocol on this process's stdin/stdout: frames of a 4-byte big-endian length and a UTF-8 JSON object.
The children's stdout and stderr are separate pipes read by this process, never the protocol pipe, so
nothing a program prints can be taken for a frame. Frames:
  Java -> worker: {"type":"config",...} once, then {"type":"execute",...} / {"type":"close",...} /
                  {"type":"shutdown"}
  worker -> Java: {"type":"hello",...} once, then one {"type":"result",...} per execute or close,
                  each followed by {"type":"ready"} once the next child is forked.

Isolation of a child (when the worker runs as root): its own unprivileged uid (one per live child,
claimed with a POSIX lock in the shared lock directory, so that `kill(-1)` from that uid sweeps exactly
that child's processes), a network namespace with no interfaces, a mount namespace where /tmp, /dev/shm
and the configured hidden paths are empty tmpfs, no new privileges, a new session, stdin from /dev/null,
a scrubbed environment, resource limits, its own empty working directory removed afterwards.
"""

import ctypes
import errno
import fcntl
import gc
import json
import os
import random
import resource
import select
import shutil
import signal
import stat
import struct
import sys
import time
import traceback

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 2
MS_NODEV = 4
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MADV_COLLAPSE = 25
HUGE_PAGE_BYTES = 2 << 20

# A child's exit status that means "the program raised MemoryError" (a program can fake it only
# against itself).
EXIT_MEMORY_ERROR = 107
# per effective uid, so that servers of different users on one machine do not share it
SANDBOX_TMP_ROOT = "/tmp/zerotir-sandbox-%d" % os.geteuid()

libc = ctypes.CDLL(None, use_errno=True)


def log(message):
    sys.stderr.write("[sandbox worker %d] %s\n" % (os.getpid(), message))
    sys.stderr.flush()


# --- protocol ------------------------------------------------------------------------------------------

class Protocol:
    def __init__(self):
        # Keep the protocol on private descriptors; fd 1 then points at stderr so that a stray print
        # from an imported module can never corrupt a frame.
        self.inp = os.dup(0)
        self.out = os.dup(1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(2, 1)
        os.set_inheritable(self.inp, False)
        os.set_inheritable(self.out, False)

    def read(self):
        header = read_exactly(self.inp, 4)
        if header is None:
            return None
        (length,) = struct.unpack(">I", header)
        body = read_exactly(self.inp, length)
        if body is None:
            return None
        return json.loads(body.decode("utf-8"))

    def write(self, message):
        body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
        write_all(self.out, struct.pack(">I", len(body)) + body)


def read_exactly(fd, n):
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def frame(message):
    body = json.dumps(message).encode("utf-8")
    return struct.pack(">I", len(body)) + body


# --- isolation set-up (once per worker) -----------------------------------------------------------

def isolate_worker(config):
    """Unshares the network and mount namespaces (root only); returns what it achieved."""
    features = {"root": os.geteuid() == 0, "network": "socket-refusal", "mounts": False}
    if os.geteuid() != 0 or not config.get("namespaces", True):
        return features
    if libc.unshare(CLONE_NEWNET) == 0:
        features["network"] = "namespace"
    else:
        log("unshare(CLONE_NEWNET) failed: %s" % os.strerror(ctypes.get_errno()))
    if libc.unshare(CLONE_NEWNS) == 0 and libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0:
        ok = True
        for path, mode in (("/tmp", "1777"), ("/dev/shm", "1777"), ("/var/tmp", "1777")):
            if os.path.isdir(path):
                ok &= mount_tmpfs(path, mode, config["tmpfsBytes"])
        for path in config.get("hiddenPaths", []):
            if not safe_to_hide(path):
                log("not hiding %s: the interpreter or its libraries live there" % path)
                continue
            if os.path.isdir(path) and not os.path.islink(path):
                ok &= mount_tmpfs(path, "755", 65536)
            elif os.path.isfile(path):
                ok &= libc.mount(b"/dev/null", path.encode(), None, 4096, None) == 0  # MS_BIND
        features["mounts"] = ok
    else:
        log("unshare(CLONE_NEWNS) failed: %s" % os.strerror(ctypes.get_errno()))
    return features


def safe_to_hide(path):
    path = os.path.realpath(path).rstrip("/")
    if path in ("", "/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev", "/tmp", "/var"):
        return False
    needed = [sys.executable, sys.prefix, os.path.dirname(os.__file__)] + [p for p in sys.path if p]
    return not any(os.path.realpath(n) == path or os.path.realpath(n).startswith(path + "/") for n in needed)


def mount_tmpfs(path, mode, size):
    options = ("size=%d,mode=%s" % (size, mode)).encode()
    if libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        log("mount tmpfs on %s failed: %s" % (path, os.strerror(ctypes.get_errno())))
        return False
    return True


class UidLocks:
    """Unprivileged uids, one per live child, claimed with POSIX locks that Java can test too."""

    def __init__(self, directory, base, count):
        self.dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        self.base = base
        self.count = count
        self.held = {}

    def claim(self):
        start = random.randrange(self.count)
        for i in range(self.count):
            uid = self.base + (start + i) % self.count
            if uid in self.held:
                continue
            fd = os.open("uid-%d.lock" % uid, os.O_RDWR | os.O_CREAT, 0o600, dir_fd=self.dir_fd)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.held[uid] = fd
            return uid
        raise RuntimeError("no free sandbox uid in [%d, %d)" % (self.base, self.base + self.count))

    def release(self, uid):
        fd = self.held.pop(uid, None)
        if fd is not None:
            os.close(fd)


# --- children ------------------------------------------------------------------------------------

class Child:
    """A forked process waiting for code (a spare), running one block, or holding a session."""

    def __init__(self, pid, uid, tmpdir, code_w, done_r, out_r, err_r):
        self.pid = pid
        self.uid = uid
        self.tmpdir = tmpdir
        self.code_w = code_w
        self.done_r = done_r
        self.out_r = out_r
        self.err_r = err_r
        self.pidfd = os.pidfd_open(pid)
        self.session = None
        self.last_used = time.monotonic()
        self.status = None  # wait status once reaped
        self.rusage = None


class Worker:
    def __init__(self, protocol, config, features, uids):
        self.protocol = protocol
        self.config = config
        self.features = features
        self.as_root = os.geteuid() == 0
        self.uids = uids
        self.spare = None
        self.sessions = {}
        self.finished = []  # children whose result is sent, to reap and clean up before the next
        os.makedirs(SANDBOX_TMP_ROOT, mode=0o711, exist_ok=True)
        os.chmod(SANDBOX_TMP_ROOT, 0o711)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self.env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        # Scrubbed once here, where every child inherits it, rather than in each child: clearing and refilling
        # os.environ there cost ~60 copy-on-write page faults per execution.
        os.environ.clear()
        os.environ.update(self.env)
        self.base_address_space = address_space_bytes()

    # -- forking ----------------------------------------------------------------------------------

    def fork_child(self):
        uid = self.uids.claim() if self.as_root else os.getuid()
        tmpdir = None
        try:
            tmpdir = os.path.join(SANDBOX_TMP_ROOT, "run-%d-%d" % (uid, random.getrandbits(48)))
            os.mkdir(tmpdir, 0o700)
            if self.as_root:
                os.chown(tmpdir, uid, uid)
            code_r, code_w = os.pipe()
            done_r, done_w = os.pipe()
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            pid = os.fork()
        except BaseException:
            if tmpdir:
                shutil.rmtree(tmpdir, ignore_errors=True)
            if self.as_root:
                self.uids.release(uid)
            raise
        if pid == 0:
            try:
                child_main(self, uid, tmpdir, code_r, done_w, out_w, err_w)
            finally:
                os._exit(70)
        for fd in (code_r, done_w, out_w, err_w):
            os.close(fd)
        for fd in (code_w, done_r, out_r, err_r):
            os.set_blocking(fd, False)
        child = Child(pid, uid, tmpdir, code_w, done_r, out_r, err_r)
        self.await_set_up(child)
        return child

    def await_set_up(self, child):
        """Waits until the child has confined itself and touched its first-call paths, so that none of that
        happens while a caller waits for a result."""
        poller = select.poll()
        poller.register(child.done_r, select.POLLIN)
        poller.register(child.pidfd, select.POLLIN)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            events = dict(poller.poll(1000))
            if child.done_r in events:
                marker = read_some(child.done_r)
                if marker == b"R":
                    return
            if child.pidfd in events or child.done_r in events:
                break
        stderr = CappedBuffer(4096)
        drain(child.err_r, stderr)
        self.finish(child)
        raise RuntimeError("a sandbox child failed to start: %s" % (last_line(stderr.text()) or "no message"))

    def take_spare(self):
        child = self.spare
        self.spare = None
        if child is not None and not self.alive(child):
            self.finish(child)
            child = None
        return child if child is not None else self.fork_child()

    def ensure_spare(self):
        if self.spare is None or not self.alive(self.spare):
            if self.spare is not None:
                self.finish(self.spare)
            self.spare = self.fork_child()

    def alive(self, child):
        if child.status is not None:
            return False
        pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            child.status, child.rusage = status, rusage
            return False
        return True

    # -- one execution ---------------------------------------------------------------------------

    def execute(self, request):
        limits = request["limits"]
        session_id = request.get("session")
        fresh_session = False
        if session_id is not None:
            child = self.sessions.get(session_id)
            if child is not None and not self.alive(child):
                self.end_session(session_id)
                child = None
            if child is None:
                self.evict_sessions()
                child = self.take_spare()
                child.session = session_id
                self.sessions[session_id] = child
                fresh_session = True
        else:
            child = self.take_spare()
        message = {"code": request["code"], "limits": limits, "session": session_id is not None,
                   "addressSpace": self.base_address_space + limits["memoryBytes"]}
        start = time.monotonic()
        try:
            write_all_nonblocking(child.code_w, frame(message))
        except OSError:
            pass  # the child died; seen below through its pidfd and reported as a sandbox error
        result, ended = self.collect(child, limits, start, session_id is not None)
        result["newSession"] = fresh_session
        child.last_used = time.monotonic()
        if ended:
            if session_id is not None:
                self.sessions.pop(session_id, None)
            kill_group(child.pid)
            self.finished.append(child)
        else:
            self.sweep_orphans()  # a session block's daemons
        return result

    def collect(self, child, limits, start, in_session):
        """Waits for the block to report, the child to die, a limit or the clock; returns (result,
        whether the child is over)."""
        max_output = limits["outputBytes"]
        kill_after = max(4 * max_output, max_output + (1 << 20))
        stdout = CappedBuffer(max_output)
        stderr = CappedBuffer(max_output)
        deadline = start + limits["wallMillis"] / 1000.0
        poller = select.poll()
        for fd in (child.out_r, child.err_r, child.pidfd, child.done_r):
            poller.register(fd, select.POLLIN)
        streams = {child.out_r: stdout, child.err_r: stderr}
        done = None
        done_buffer = b""
        killed_for = None
        exited = False
        while done is None and not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                killed_for = "TIME_LIMIT"
                break
            for fd, _ in poller.poll(max(1, int(remaining * 1000))):
                if fd in streams:
                    drain(fd, streams[fd])
                elif fd == child.pidfd:
                    exited = True
                elif fd == child.done_r:
                    chunk = read_some(fd)
                    if not chunk:
                        poller.unregister(fd)
                        continue
                    done_buffer += chunk
                    if len(done_buffer) >= 4:
                        (length,) = struct.unpack(">I", done_buffer[:4])
                        if len(done_buffer) >= 4 + length:
                            done = parse_done(done_buffer[4:4 + length])
            if stdout.total + stderr.total > kill_after:
                killed_for = "OUTPUT_LIMIT"
                break
        elapsed = time.monotonic() - start
        peak = done.get("peakMemoryBytes", 0) if done is not None else process_peak_rss(child.pid)
        if killed_for is not None:
            kill_group(child.pid)
            self.reap(child)
        elif exited:
            self.reap(child)
        drain(child.out_r, stdout)
        drain(child.err_r, stderr)
        result = {
            "stdout": stdout.text(),
            "stderr": stderr.text(),
            "truncated": stdout.truncated or stderr.truncated,
            "durationMillis": int(elapsed * 1000),
            "exitCode": None,
            "peakMemoryBytes": child.rusage.ru_maxrss * 1024 if child.rusage is not None and not peak else peak,
        }
        ended = killed_for is not None or exited or not in_session or done.get("exitCode") is not None
        if killed_for == "TIME_LIMIT":
            result["status"] = "TIME_LIMIT"
            result["message"] = "wall-clock limit of %d ms exceeded" % limits["wallMillis"]
        elif killed_for == "OUTPUT_LIMIT":
            result["status"] = "OUTPUT_LIMIT"
            result["message"] = "output exceeded %d bytes; the program was stopped" % kill_after
        elif done is not None:
            result["status"] = done["status"]
            result["exitCode"] = done.get("exitCode")
        else:
            self.classify_exit(child, limits, result)
        if result["status"] == "RUNTIME_ERROR" and "errorLine" not in result:
            result["errorLine"] = last_line(result["stderr"]) or "exit status %s" % result["exitCode"]
        elif result["status"] == "MEMORY_LIMIT":
            result["message"] = "memory limit of %d bytes exceeded" % limits["memoryBytes"]
        return result, ended

    def classify_exit(self, child, limits, result):
        """The child died without reporting: a signal, os._exit, or a failed set-up."""
        status = child.status
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            result["exitCode"] = -sig
            if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_seconds(child.rusage) >= limits["cpuSeconds"]):
                result["status"] = "TIME_LIMIT"
                result["message"] = "CPU-time limit of %d s exceeded" % limits["cpuSeconds"]
            else:
                result["status"] = "RUNTIME_ERROR"
                result["errorLine"] = "killed by signal %s" % signal_name(sig)
            return
        code = os.WEXITSTATUS(status)
        result["exitCode"] = code
        if code == 70 and result["stderr"].startswith("[sandbox child]"):
            result["status"] = "SANDBOX_ERROR"
            result["message"] = last_line(result["stderr"])
        elif code == EXIT_MEMORY_ERROR:
            result["status"] = "MEMORY_LIMIT"
        else:
            result["status"] = "OK" if code == 0 else "RUNTIME_ERROR"

    def reap(self, child):
        if child.status is None:
            try:
                _, status, rusage = os.wait4(child.pid, 0)
                child.status, child.rusage = status, rusage
            except ChildProcessError:
                child.status = signal.SIGKILL  # reaped elsewhere; it can only have been killed

    def finish(self, child):
        """Kills what is left of a child and its uid, removes its files, frees its uid."""
        kill_group(child.pid)
        self.reap(child)
        # Before the uid is freed: whatever the child left re-parents to us (a subreaper) as a stray.
        self.sweep_orphans(exclude=child)
        for fd in (child.code_w, child.done_r, child.out_r, child.err_r, child.pidfd):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(child.tmpdir, ignore_errors=True)
        if self.as_root:
            # The uid was this child's alone, so whatever it owns in the shared temporary directories is its.
            remove_owned_by(child.uid, ("/tmp", "/dev/shm", "/var/tmp"))
            self.uids.release(child.uid)

    def sweep_uid(self, uid):
        """kill(-1, SIGKILL) from a process running as uid reaches every process of that uid, even a
        double-forked daemon that left the process group (see kill_every_process_of_own_uid)."""
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                kill_every_process_of_own_uid()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        self.reap_orphans()

    def sweep_orphans(self, exclude=None):
        """Kills processes re-parented to this worker that belong to no live child."""
        for _ in range(100):
            known = {c.pid for c in self.live_children() if c is not exclude}
            strays = [pid for pid in own_children() if pid not in known]
            if not strays:
                return
            session_uids = {c.uid: c for c in self.sessions.values() if c is not exclude}
            for pid in strays:
                try:
                    uid = os.stat("/proc/%d" % pid).st_uid
                except OSError:
                    continue
                if uid in session_uids:
                    # A session's daemon: kill it and whatever else of that uid is not the session.
                    kill_uid_except(uid, session_uids[uid].pid)
                elif self.as_root and uid != 0:
                    self.sweep_uid(uid)
                else:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            self.reap_orphans()
            time.sleep(0.001)

    def live_children(self):
        """The children this worker still accounts for: sessions, the spare, finished ones not yet reaped."""
        children = list(self.sessions.values()) + self.finished
        if self.spare is not None:
            children.append(self.spare)
        return children

    def reap_orphans(self):
        known = {c.pid: c for c in self.live_children()}
        while True:
            try:
                pid, status, rusage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in known:
                known[pid].status, known[pid].rusage = status, rusage

    # -- sessions --------------------------------------------------------------------------------

    def end_session(self, session_id):
        child = self.sessions.pop(session_id, None)
        if child is not None:
            self.finish(child)
        return child is not None

    def evict_sessions(self):
        now = time.monotonic()
        idle = self.config["sessionIdleMillis"] / 1000.0
        for session_id, child in list(self.sessions.items()):
            if now - child.last_used > idle:
                self.end_session(session_id)
        while len(self.sessions) >= self.config["maxSessions"]:
            oldest = min(self.sessions.items(), key=lambda item: item[1].last_used)[0]
            self.end_session(oldest)

    def shutdown(self):
        for session_id in list(self.sessions):
            self.end_session(session_id)
        if self.spare is not None:
            self.finish(self.spare)
            self.spare = None

    # -- main loop -------------------------------------------------------------------------------

    def serve(self):
        self.ensure_spare()
        self.protocol.write({"type": "hello", "pid": os.getpid(), "isolation": self.features,
                             "python": sys.version.split()[0]})
        self.protocol.write({"type": "ready"})
        idle_check = self.config["sessionIdleMillis"] / 1000.0 / 4
        while True:
            readable, _, _ = select.select([self.protocol.inp], [], [], max(0.05, idle_check))
            if not readable:
                if self.sessions:
                    self.evict_sessions()
                self.reap_orphans()
                continue
            request = self.protocol.read()
            if request is None or request["type"] == "shutdown":
                self.shutdown()
                return
            if request["type"] == "execute":
                try:
                    result = self.execute(request)
                except Exception as e:  # a fault of the worker, never of the program
                    log(traceback.format_exc())
                    result = {"status": "SANDBOX_ERROR", "message": "worker: %s: %s" % (type(e).__name__, e),
                              "stdout": "", "stderr": "", "truncated": False, "durationMillis": 0}
            elif request["type"] == "close":
                result = {"closed": self.end_session(request["session"])}
            else:
                result = {"status": "SANDBOX_ERROR", "message": "unknown request type %r" % request["type"]}
            result["type"] = "result"
            result["id"] = request.get("id")
            if not self.features["mounts"]:
                # /tmp and /dev/shm are shared with the other workers: clean up before the caller can start its
                # next execution on another worker, or that one would see this child's files for a moment.
                while self.finished:
                    self.finish(self.finished.pop())
            self.protocol.write(result)
            while self.finished:
                self.finish(self.finished.pop())
            self.ensure_spare()
            self.protocol.write({"type": "ready"})


# --- helpers -------------------------------------------------------------------------------------

class CappedBuffer:
    """Keeps the first and last half of max bytes of a stream and counts what it dropped."""

    def __init__(self, max_bytes):
        self.half = max(1, max_bytes // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data):
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > 2 * self.half:
                del self.tail[:len(self.tail) - self.half]

    @property
    def truncated(self):
        return self.total > len(self.head) + min(len(self.tail), self.half)

    def text(self):
        tail = self.tail[-self.half:] if len(self.tail) > self.half else self.tail
        dropped = self.total - len(self.head) - len(tail)
        if dropped <= 0:
            return (bytes(self.head) + bytes(tail)).decode("utf-8", "replace")
        return (bytes(self.head).decode("utf-8", "replace")
                + "\n...[truncated %d bytes]...\n" % dropped
                + bytes(tail).decode("utf-8", "replace"))


def parse_done(body):
    try:
        done = json.loads(body)
        if done.get("status") in ("OK", "RUNTIME_ERROR", "MEMORY_LIMIT"):
            if not isinstance(done.get("peakMemoryBytes"), int):
                done["peakMemoryBytes"] = 0
            return done
    except (ValueError, AttributeError):
        pass
    return {"status": "RUNTIME_ERROR", "exitCode": 1}


def drain(fd, buffer):
    while True:
        chunk = read_some(fd)
        if not chunk:
            return
        buffer.add(chunk)


def read_some(fd):
    try:
        return os.read(fd, 1 << 16)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return None


def write_all_nonblocking(fd, data):
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
            view = view[written:]
        except BlockingIOError:
            select.select([], [fd], [], 1.0)


def kill_group(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except OSError:
            pass


def kill_uid_except(uid, keep_pid):
    for _ in range(100):
        found = False
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == keep_pid:
                continue
            try:
                if os.stat("/proc/" + name).st_uid == uid:
                    os.kill(int(name), signal.SIGKILL)
                    found = True
            except OSError:
                pass
        if not found:
            return


def kill_every_process_of_own_uid():
    """kill(-1, SIGKILL) from an unprivileged process reaches every other process of its uid. Once is enough, even
    against a fork bomb: the kernel signals them all in one walk under the tasklist lock, which fork must take to
    link a new process, and fork gives up when it finds SIGKILL pending ("Let kill terminate clone/fork in the
    middle", kernel/fork.c), so no process of the uid can appear after the walk. Repeating it until it fails
    does not work either: kill(-1) reports success whenever any other process exists, even one it may not
    signal, so such a loop always ran to its bound (100 kills, each a walk over every process on the machine:
    a fifth of the sandbox's CPU time per execution)."""
    libc.kill(-1, signal.SIGKILL)


def own_children():
    me = os.getpid()
    try:
        with open("/proc/%d/task/%d/children" % (me, me)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def remove_owned_by(uid, directories):
    for directory in directories:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def address_space_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def process_peak_rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(rusage):
    return 0 if rusage is None else rusage.ru_utime + rusage.ru_stime


def signal_name(sig):
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def last_line(text):
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


# --- the child ------------------------------------------------------------------------------------

def child_main(worker, uid, tmpdir, code_r, done_w, out_w, err_w):
    """Runs in the forked child: confine, wait for code, run it, exit (or loop, in a session)."""
    worker_pid = os.getppid()
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.dup2(code_r, 3)
        os.dup2(done_w, 4)
        os.closerange(5, 1 << 16)
        for fd in (3, 4):
            os.set_inheritable(fd, False)
        os.chdir(tmpdir)
        if worker.as_root:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # A previous holder of this uid may have left a process behind (a worker killed hard).
            kill_every_process_of_own_uid()
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        # Set after the uid change, which clears it; then make sure the worker did not die in between.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != worker_pid:
            os._exit(70)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.environ["HOME"] = tmpdir
        os.environ["TMPDIR"] = tmpdir
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        sys.argv = [""]
        if worker.features["network"] != "namespace":
            refuse_sockets()
    except BaseException as e:
        os.write(2, ("[sandbox child] set-up failed: %s: %s\n" % (type(e).__name__, e)).encode())
        os._exit(70)
    scope = None
    first = True
    # Touch the paths every execution takes while no one waits: their copy-on-write faults happen now.
    compile("print(1 + 1)", "<code>", "exec")
    json.loads(json.dumps({"status": "OK", "exitCode": 0}))
    os.write(4, b"R")  # set up: see Worker.await_set_up
    while True:
        message = read_frame(3)
        if message is None:
            os._exit(0)
        if first:
            apply_limits(message["limits"], message["addressSpace"], message["session"], worker.as_root)
            first = False
        if scope is None or not message["session"]:
            scope = {"__name__": "__main__", "__builtins__": __builtins__}
        if not message["session"]:
            os.close(3)  # nothing more will come; the program need not see the pipe
        status, exit_code = run_code(message["code"], scope, message["limits"]["cpuSeconds"], message["session"])
        # Reported before exiting: tearing down a large forked address space takes milliseconds
        # that the caller need not wait for.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        reply = json.dumps({"status": status, "exitCode": exit_code, "peakMemoryBytes": peak}).encode()
        try:
            os.write(4, struct.pack(">I", len(reply)) + reply)
        except OSError:  # the program closed the pipe: it ends here, its exit status tells the rest
            os._exit(exit_code or 0)
        if not message["session"] or exit_code is not None:
            os._exit(exit_code or 0)


def apply_limits(limits, address_space, in_session, own_uid):
    cpu = limits["cpuSeconds"]
    # In a session the CPU limit is per block, which only a soft limit can express; the wall clock
    # stays the hard bound there.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY if in_session else cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["fileSizeBytes"], limits["fileSizeBytes"]))
    if own_uid:
        # RLIMIT_NPROC counts every process of the real uid, so it is only safe on a uid of our own.
        processes = limits["processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


def read_frame(fd):
    header = read_exactly(fd, 4)
    if header is None:
        return None
    (length,) = struct.unpack(">I", header)
    return json.loads(read_exactly(fd, length).decode("utf-8"))


def run_code(code, scope, cpu_seconds_limit, in_session):
    """Returns (status, exit code); the exit code is None when a session goes on."""
    if in_session:
        # The CPU limit of a session is per block: re-armed relative to what earlier blocks used.
        used = resource.getrusage(resource.RUSAGE_SELF)
        resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + cpu_seconds_limit,
                                                 resource.RLIM_INFINITY))
    status, exit_code = "OK", (None if in_session else 0)
    try:
        exec(compile(code, "<code>", "exec"), scope)
    except SystemExit as e:
        exit_code = system_exit_status(e)
        status = "OK" if exit_code == 0 else "RUNTIME_ERROR"
    except MemoryError as e:
        print_exception(e)
        status = "MEMORY_LIMIT"
        exit_code = None if in_session else EXIT_MEMORY_ERROR
    except BaseException as e:
        print_exception(e)
        status = "RUNTIME_ERROR"
        exit_code = None if in_session else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    return status, exit_code


def print_exception(e):
    try:
        # without this module's own frame: the model should see only its code in the traceback
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
    except BaseException:
        pass


def system_exit_status(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def refuse_sockets():
    import socket

    class RefusedSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, "network access is disabled in the sandbox")

    socket.socket = RefusedSocket
    socket.create_connection = lambda *a, **k: RefusedSocket()
    socket.socketpair = lambda *a, **k: RefusedSocket()


# --- start ----------------------------------------------------------------------------------------

def warm_up(preloaded):
    """Runs the preloaded libraries' lazy first-call paths once here, so that every child inherits them ready
    instead of paying for them (and for copying the pages they touch) on its first call."""
    try:
        if "numpy" in preloaded:
            import numpy
            a = numpy.random.default_rng(0).random((8, 8)) + 8 * numpy.eye(8)
            numpy.linalg.solve(a, numpy.ones(8)).sum()
            numpy.linalg.det(a)
            str(a)
        if "sympy" in preloaded:
            import sympy
            x = sympy.Symbol("x")
            sympy.solve(x ** 2 - 5 * x + 6, x)
            sympy.simplify(sympy.sin(x) ** 2 + sympy.cos(x) ** 2)
            sympy.factorint(360)
            str(sympy.Rational(1, 3) + x)
    except Exception as e:
        log("warm-up failed (harmless): %s: %s" % (type(e).__name__, e))


def collapse_into_huge_pages():
    """Maps the preloaded heap (~50 MB of numpy and sympy objects) with 2 MiB pages. fork then shares one page-table
    entry per 2 MiB instead of copying one per 4 KiB, and the child's exit has as few to tear down: that copy
    and teardown, ~14,000 entries each, were most of the CPU an execution cost. A page either process writes
    afterwards is still copied on write, 4 KiB at a time (the kernel splits the 2 MiB mapping first), so
    nothing is shared that was not before. Only densely filled regions, so that no untouched memory is
    allocated; without transparent huge pages in the kernel this does nothing."""
    regions = []
    try:
        with open("/proc/self/smaps") as f:
            for line in f:
                fields = line.split()
                if "-" in fields[0] and not fields[0].endswith(":"):
                    start, end = (int(x, 16) for x in fields[0].split("-"))
                    anonymous = fields[1] == "rw-p" and (len(fields) < 6 or fields[5] == "[heap]")
                    region = [start, end] if anonymous else None
                elif fields[0] == "Anonymous:" and region is not None:
                    if int(fields[1]) * 1024 >= 0.9 * (region[1] - region[0]):
                        regions.append(region)
    except OSError:
        return
    for start, end in regions:
        aligned_start = (start + HUGE_PAGE_BYTES - 1) & ~(HUGE_PAGE_BYTES - 1)
        aligned_end = end & ~(HUGE_PAGE_BYTES - 1)
        if aligned_end > aligned_start:
            libc.madvise(ctypes.c_void_p(aligned_start), ctypes.c_size_t(aligned_end - aligned_start), MADV_COLLAPSE)


def main():
    protocol = Protocol()
    config = protocol.read()
    if config is None or config.get("type") != "config":
        log("expected a config frame")
        sys.exit(2)
    # The lock directory is opened before /tmp is replaced by this worker's own tmpfs.
    uids = UidLocks(config["lockDir"], config["uidBase"], config["uidCount"]) if os.geteuid() == 0 else None
    features = isolate_worker(config)
    failed = []
    for name in config["preload"]:
        try:
            __import__(name)
        except Exception as e:
            failed.append("%s (%s: %s)" % (name, type(e).__name__, e))
    if failed:
        protocol.write({"type": "hello", "error": "cannot import " + ", ".join(failed)})
        sys.exit(3)
    warm_up(config["preload"])
    gc.collect()
    gc.freeze()  # objects inherited by children are never collected there, so their pages stay shared
    collapse_into_huge_pages()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))
    worker = Worker(protocol, config, features, uids)
    try:
        worker.serve()
    finally:
        worker.shutdown()


if __name__ == "__main__":
    main()
