"""A running lab, driven through the `cboxlab` command and its JSON output.

Nothing here reimplements cboxlab: every method runs the command and reads
what it prints (docs/json.md). A failed command raises CboxlabError with the
command's own message and exit status.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .history import History


class CboxlabError(Exception):
    """A cboxlab command failed: its message (stderr, without the
    "cboxlab: " prefix), exit status and command line."""

    def __init__(self, message: str, returncode: int, argv: Sequence[str], stderr: str = ""):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.argv = list(argv)
        self.stderr = stderr

    def __str__(self) -> str:
        return f"{self.message} (exit status {self.returncode}: {' '.join(self.argv)})"


class ExecError(CboxlabError):
    """A command run in a node (Lab.exec with check=True) exited non-zero."""

    def __init__(self, result: "Result"):
        msg = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
        super().__init__(msg, result.returncode, result.argv, result.stderr)
        self.result = result


@dataclass
class Result:
    """What a command run in a node did."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Interface:
    name: str
    addresses: list[str]
    mac: str
    network: str | None = None
    peer: str | None = None
    host_interface: str | None = None

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "Interface":
        return cls(name=o["name"], addresses=list(o.get("addresses", [])), mac=o.get("mac", ""),
                   network=o.get("network"), peer=o.get("peer"),
                   host_interface=o.get("host_interface"))


@dataclass
class Node:
    name: str
    pid: int
    state: str  # running, paused, stopped
    interfaces: list[Interface]
    memory_bytes: int | None = None

    @property
    def addresses(self) -> list[str]:
        """Every address of the node, without its prefix length."""
        return [a.split("/")[0] for i in self.interfaces for a in i.addresses]

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "Node":
        return cls(name=o["name"], pid=o["pid"], state=o.get("state", "running"),
                   interfaces=[Interface.from_json(i) for i in o.get("interfaces", [])],
                   memory_bytes=o.get("memory_bytes"))


@dataclass
class Fault:
    """A fault in force (status --json's faults_in_force)."""

    kind: str  # impair, partition, link-down, stopped, paused, disk-full, clock-skew, disk-slow
    node: str
    iface: str | None = None
    settings: dict[str, str] = field(default_factory=dict)  # impair, disk-slow
    drops: list[str] = field(default_factory=list)  # partition: whose packets node drops
    skew: str | None = None  # clock-skew: "+300s"
    path: str | None = None  # disk-full of a volume: its path in the node

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "Fault":
        return cls(kind=o["kind"], node=o["node"], iface=o.get("iface"),
                   settings=dict(o.get("settings", {})), drops=list(o.get("drops", [])),
                   skew=o.get("skew"), path=o.get("path"))


@dataclass
class Status:
    name: str
    state: str
    nodes: list[Node]
    faults: list[Fault]
    text: list[str]  # the faults as `status` prints them
    # The lab's processes now and their bound (status --json's
    # "processes"); None for a lab of netns nodes only (their processes
    # are the host's), max None where nothing bounds them.
    processes: int | None = None
    processes_max: int | None = None

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)


@dataclass
class Event:
    """A line of the chaos event log (docs/faults.md, docs/json.md)."""

    event: str  # start, apply, remove, overrun, interrupted, error, end
    mono: float  # seconds since the run's start
    monotonic_ns: int | None  # the host's CLOCK_MONOTONIC
    wall: str
    fault: str | None = None
    what: str | None = None
    nodes: list[str] = field(default_factory=list)
    step: int | None = None
    # apply and remove of a step: when it began (the fault took effect
    # between this and monotonic_ns)
    began_monotonic_ns: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "Event":
        return cls(event=o["event"], mono=o.get("mono", 0.0), monotonic_ns=o.get("monotonic_ns"),
                   wall=o.get("wall", ""), fault=o.get("fault"), what=o.get("what"),
                   nodes=list(o.get("nodes", [])), step=o.get("step"),
                   began_monotonic_ns=o.get("began_monotonic_ns"), raw=dict(o))


def find_cboxlab() -> str:
    """$CBOXLAB, else `cboxlab` on PATH."""
    path = os.environ.get("CBOXLAB") or shutil.which("cboxlab")
    if not path:
        raise FileNotFoundError("cboxlab not found: install it (make install) or set $CBOXLAB")
    return path


def _run(argv: Sequence[str], timeout: float | None = None, input: str | None = None,
         check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                       input=input, stdin=None if input is not None else subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise _error(argv, p.returncode, p.stderr)
    return p


def _error(argv: Sequence[str], rc: int, stderr: str) -> CboxlabError:
    lines = [l for l in stderr.splitlines() if l.strip()]
    # "cboxlab: <message>", or a usage error "cboxlab CMD: ..." with a hint after.
    msg = next((l for l in lines if l.startswith("cboxlab")), lines[-1] if lines else "failed")
    if msg.startswith("cboxlab: "):
        msg = msg[len("cboxlab: "):]
    return CboxlabError(msg, rc, argv, stderr)


def _nodes_arg(nodes: Iterable[str] | str) -> list[str]:
    return [nodes] if isinstance(nodes, str) else list(nodes)


class Lab:
    """A lab that is up. Lab.up(...) brings it up; as a context manager it
    is brought down on leaving the block, also on an exception, Ctrl-C or
    SIGTERM:

        with Lab.up("topologies/p2p.json") as lab:
            lab.partition(["a"], ["b"])
            print(lab.exec("a", "ping -c1 -W1 b", check=False).returncode)
    """

    def __init__(self, name: str, cboxlab: str | None = None, workdir: str | None = None):
        self.name = name
        # The working directory (the topology written from a dict, event
        # logs, the history) goes with the lab unless this is set.
        self.keep_files = False
        self.cboxlab = cboxlab or find_cboxlab()
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"cboxlab-{name}-")
        # Every chaos run's event log, in order (the pytest fixture shows them).
        self.event_logs: list[str] = []
        self._history: History | None = None
        self._old_sigterm = None
        self._is_up = True

    # --- bringing up and down --------------------------------------------

    @classmethod
    def up(cls, topology: str | os.PathLike | Mapping[str, Any], *, cboxlab: str | None = None,
           timeout: float | None = None, keep_files: bool = False) -> "Lab":
        """Bring a lab up from a topology file or a dict (written to a file
        of the lab's working directory first). keep_files: leave the working
        directory (self.workdir: event logs, history) when the lab goes down."""
        exe = cboxlab or find_cboxlab()
        workdir = None
        if isinstance(topology, Mapping):
            workdir = tempfile.mkdtemp(prefix=f"cboxlab-{topology.get('name', 'lab')}-")
            path = os.path.join(workdir, "topology.json")
            with open(path, "w") as f:
                json.dump(topology, f, indent=2)
        else:
            path = os.fspath(topology)
        try:
            p = _run([exe, "up", "--json", path], timeout=timeout)
        except BaseException:
            if workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
        report = json.loads(p.stdout)
        lab = cls(report["name"], exe, workdir)
        lab._own_workdir = True
        lab.keep_files = keep_files
        lab.up_report = report
        return lab

    def down(self) -> None:
        """Bring the lab down (idempotent). A Ctrl-C meanwhile does not
        interrupt it: the lab would be left half down."""
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            _run([self.cboxlab, "down", self.name])
            self._is_up = False
        finally:
            if main:
                signal.signal(signal.SIGINT, old)
        if self._history:
            self._history.close()

    def __enter__(self) -> "Lab":
        # SIGTERM (a CI job cancelled, `timeout`) becomes an exception, so
        # that __exit__ runs and the lab goes down; Ctrl-C already is one.
        if threading.current_thread() is threading.main_thread():
            def on_term(signum, frame):
                raise SystemExit(128 + signum)
            self._old_sigterm = signal.signal(signal.SIGTERM, on_term)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.down()
        finally:
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                self._old_sigterm = None
            if self._own_workdir and not self.keep_files:
                shutil.rmtree(self.workdir, ignore_errors=True)

    # --- what the lab is -----------------------------------------------------

    def _cmd(self, *args: str, timeout: float | None = None) -> str:
        return _run([self.cboxlab, *args], timeout=timeout).stdout

    def status(self) -> Status:
        o = json.loads(self._cmd("status", "--json", self.name))
        return Status(name=o["name"], state=o["state"],
                      nodes=[Node.from_json(n) for n in o["nodes"]],
                      faults=[Fault.from_json(f) for f in o.get("faults_in_force", [])],
                      text=list(o.get("faults", [])),
                      processes=(o.get("processes") or {}).get("count"),
                      processes_max=(o.get("processes") or {}).get("max"))

    @property
    def nodes(self) -> dict[str, Node]:
        """The nodes by name, in the topology's order, as they are now."""
        return {n.name: n for n in self.status().nodes}

    def logs(self, node: str) -> str:
        return self._cmd("logs", self.name, node)

    # --- inside nodes --------------------------------------------------------

    @staticmethod
    def _argv(cmd: str | Sequence[str]) -> list[str]:
        # A string is a shell command line (the node's sh); a list is argv.
        return ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)

    def exec(self, node: str, cmd: str | Sequence[str], *, check: bool = True,
             timeout: float | None = None, input: str | None = None) -> Result:
        """Run cmd in the node and wait for it. check: raise ExecError when
        it exits non-zero; timeout: seconds, then subprocess.TimeoutExpired
        (the command is killed)."""
        argv = [self.cboxlab, "exec", *(["-i"] if input is not None else []), self.name, node,
                "--", *self._argv(cmd)]
        p = _run(argv, timeout=timeout, input=input, check=False)
        r = Result(argv, p.returncode, p.stdout, p.stderr)
        if check and not r.ok:
            raise ExecError(r)
        return r

    def popen(self, node: str, cmd: str | Sequence[str], **kwargs) -> subprocess.Popen:
        """Start cmd in the node without waiting (a long-running client):
        subprocess.Popen's keywords; stdin=subprocess.PIPE passes input."""
        interactive = kwargs.get("stdin") is not None and kwargs.get("stdin") != subprocess.DEVNULL
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        argv = [self.cboxlab, "exec", *(["-i"] if interactive else []), self.name, node, "--",
                *self._argv(cmd)]
        return subprocess.Popen(argv, **kwargs)

    # --- faults ----------------------------------------------------------------

    def partition(self, *groups: Iterable[str] | str, oneway: bool = False,
                  grudge: Mapping[str, Sequence[str]] | None = None) -> None:
        """partition(["a", "b"], ["c"]): nodes of different groups cannot
        talk; oneway=True with two groups: only what the first sends to the
        second is cut; grudge={"a": ["c"]}: each node and whose packets it
        drops."""
        if grudge is not None:
            self._cmd("partition", self.name, "--grudge", json.dumps(grudge))
            return
        args = [",".join(_nodes_arg(g)) for g in groups]
        self._cmd("partition", self.name, *(["--oneway"] if oneway else []), *args)

    def heal(self, all: bool = False) -> None:
        """Remove every partition; all=True: undo every fault instead
        (partitions, impairments back to the topology's, links up, nodes
        resumed and started, disks unfilled, throttles and clock skews
        removed), as a chaos run ends."""
        self._cmd("heal", self.name, *(["--all"] if all else []))

    def impair(self, iface: str, clear: bool = False, **settings: str) -> None:
        """impair("a:eth0", delay="50ms", loss="2%"): replaces the
        interface's impairments; clear=True removes them."""
        if clear:
            self._cmd("impair", self.name, iface, "clear")
        else:
            self._cmd("impair", self.name, iface, *(f"{k}={v}" for k, v in settings.items()))

    def link_down(self, a: str, b: str | None = None) -> None:
        """Cut a link: link_down("a:eth1"), or link_down("a", "b")."""
        self._cmd("link", self.name, "down", a, *([b] if b else []))

    def link_up(self, a: str, b: str | None = None) -> None:
        self._cmd("link", self.name, "up", a, *([b] if b else []))

    def stop(self, *nodes: str, timeout: float | None = None) -> None:
        """SIGTERM, then SIGKILL after timeout seconds (default 10)."""
        self._cmd("stop", self.name, *nodes, *(["--timeout", str(timeout)] if timeout is not None else []))

    def restart(self, *nodes: str, timeout: float | None = None,
                clock_offset: str | None = None, clock_skew: str | None = None) -> None:
        """Stop, then start; clock_offset ("+30s", "-5s"): the nodes'
        CLOCK_MONOTONIC and CLOCK_BOOTTIME this far from the host's, instead
        of the topology's clock_offset, until their next start; clock_skew
        ("+300s"): the wall clock of their dynamically linked programs
        (libfaketime), instead of the topology's clock_skew."""
        self._cmd("restart", self.name, *nodes,
                  *(["--timeout", str(timeout)] if timeout is not None else []),
                  *([f"--clock-offset={clock_offset}"] if clock_offset is not None else []),
                  *([f"--clock-skew={clock_skew}"] if clock_skew is not None else []))

    def start(self, *nodes: str, clock_offset: str | None = None,
              clock_skew: str | None = None) -> None:
        self._cmd("start", self.name, *nodes,
                  *([f"--clock-offset={clock_offset}"] if clock_offset is not None else []),
                  *([f"--clock-skew={clock_skew}"] if clock_skew is not None else []))

    def clock_skew(self, node: str, skew: str, timeout: float | None = None) -> None:
        """Restart the node with its wall clock skew ("+300s", "-5s") off the
        host's, for dynamically linked programs (libfaketime; static and Go
        programs read the host's); clock_skew(node, "0s") or restart(node):
        back to the topology's."""
        self.restart(node, timeout=timeout, clock_skew=skew)

    def fill(self, *nodes: str, path: str | None = None) -> None:
        """Make the nodes' storage full: their writes fail with ENOSPC until
        unfill (or heal(all=True)). Without path, a node's own storage
        ("storage_size"); path="/var/lib/redis": one node's volume at that
        path ("volumes": ["/var/lib/redis:64M"]), which any node can have."""
        self._cmd("fill", self.name, *nodes, *(["--path", path] if path is not None else []))

    def unfill(self, *nodes: str, path: str | None = None) -> None:
        """Give the nodes' storage (path: the volume) its size back."""
        self._cmd("unfill", self.name, *nodes, *(["--path", path] if path is not None else []))

    def disk_full(self, *nodes: str, path: str | None = None) -> None:
        """fill, by its older name."""
        self.fill(*nodes, path=path)

    def disk_heal(self, *nodes: str, path: str | None = None) -> None:
        """unfill, by its older name."""
        self.unfill(*nodes, path=path)

    def throttle(self, node: str, clear: bool = False, **limits: str) -> None:
        """throttle("d", wbps="1M", riops="100"): a slow disk for a node
        with "storage": "disk" (cgroup v2 io.max), replacing its limits;
        clear=True removes them."""
        if clear:
            self._cmd("throttle", self.name, node, "clear")
        else:
            self._cmd("throttle", self.name, node, *(f"{k}={v}" for k, v in limits.items()))

    def kill(self, *nodes: str) -> None:
        self._cmd("kill", self.name, *nodes)

    def pause(self, *nodes: str) -> None:
        self._cmd("pause", self.name, *nodes)

    def resume(self, *nodes: str) -> None:
        self._cmd("resume", self.name, *nodes)

    def chaos(self, plan: str | os.PathLike | Mapping[str, Any] | None = None, *,
              nemesis: str | None = None, interval: str | None = None,
              duration: str | None = None, nodes: Sequence[str] | None = None,
              loss: str | None = None, seed: int | None = None,
              timeout: float | None = None) -> list[Event]:
        """Run a fault timeline to its end (always healed) and return its
        event log: a plan (a file, or a dict {"steps": [...]}), or a nemesis
        (nemesis="random-halves", interval="1s", duration="4s"). The log
        stays in self.event_logs."""
        if (plan is None) == (nemesis is None):
            raise ValueError("chaos: give a plan or a nemesis, not both")
        n = len(self.event_logs) + 1
        log = os.path.join(self.workdir, f"chaos-{n}.jsonl")
        args = ["chaos", self.name]
        if plan is not None:
            if isinstance(plan, Mapping):
                path = os.path.join(self.workdir, f"chaos-{n}-plan.json")
                with open(path, "w") as f:
                    json.dump(plan, f)
                plan = path
            args.append(os.fspath(plan))
        else:
            args += ["--nemesis", nemesis]
            for opt, v in (("--interval", interval), ("--duration", duration), ("--loss", loss)):
                if v is not None:
                    args += [opt, v]
            if nodes:
                args += ["--nodes", ",".join(nodes)]
        if seed is not None:
            args += ["--seed", str(seed)]
        args += ["--log", log]
        self.event_logs.append(log)
        self._cmd(*args, timeout=timeout)
        return read_events(log)

    # --- histories -----------------------------------------------------------

    @property
    def history(self) -> History:
        """The lab's history (workdir/history.jsonl), made on first use."""
        if self._history is None:
            self._history = History(os.path.join(self.workdir, "history.jsonl"))
        return self._history

    def record(self, type: str, process: int | str, f: str, value: Any = None, **extra) -> dict:
        """Log one client operation event in the lab's history: type is
        invoke, ok, fail or info; the time is now, on the fault log's clock."""
        return self.history.record(type, process, f, value, **extra)

    def timeline(self, *logs: str) -> list[dict[str, Any]]:
        """`cboxlab timeline --json` of these logs (default: the lab's
        history and every chaos run's event log)."""
        if not logs:
            if self._history:
                self._history.flush()
            logs = tuple(([self._history.path] if self._history else []) + self.event_logs)
        out = _run([self.cboxlab, "timeline", "--json", *logs]).stdout
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def diagnostics(self) -> str:
        """Status, every node's console and the event logs, as text: what
        the pytest fixture attaches to a failed test's report."""
        parts = []
        try:
            parts.append(_run([self.cboxlab, "status", self.name], check=False).stdout)
            for name in self.nodes:
                parts.append(f"--- logs of {name} ---\n{self.logs(name)}")
        except (CboxlabError, OSError) as e:
            parts.append(f"(status of {self.name}: {e})")
        for log in self.event_logs:
            try:
                with open(log) as f:
                    parts.append(f"--- chaos event log {log} ---\n{f.read()}")
            except OSError:
                pass
        if self._history:
            self._history.flush()
            with open(self._history.path) as f:
                parts.append(f"--- history {self._history.path} ---\n{f.read()}")
        return "\n".join(parts)


def read_events(path: str) -> list[Event]:
    """A chaos event log's lines as Events."""
    with open(path) as f:
        return [Event.from_json(json.loads(l)) for l in f if l.strip()]
