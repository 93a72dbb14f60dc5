"""Histories: client operations as JSON lines, beside the fault log.

One line per operation event, in Jepsen's vocabulary:

    {"type": "invoke", "f": "write", "value": 3, "process": 0, "time": 81726354100000}
    {"type": "ok",     "f": "write", "value": 3, "process": 0, "time": 81726356200000}

type is invoke, ok, fail (it did not happen) or info (unknown: it may have);
time is CLOCK_MONOTONIC in nanoseconds (time.monotonic_ns()), the clock of
the chaos event log's monotonic_ns, so `cboxlab timeline` merges both. Any
language writes it with a JSON encoder and a monotonic clock.

Converters for existing checkers (docs/testing-with-cboxlab.md):
  to_jepsen_edn  Jepsen/Knossos/Elle's EDN history ({:type :invoke, ...},
                 time relative to the first operation, an :index each);
  to_porcupine   Porcupine's operations ({"clientId", "input", "call",
                 "output", "return"}: one per invoke and its completion).

    python3 -m cboxlab.history edn FILE         EDN, one map a line
    python3 -m cboxlab.history porcupine FILE   a JSON array
"""
from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, Iterable

TYPES = ("invoke", "ok", "fail", "info")


class History:
    """An append-only history file; safe to share between threads."""

    def __init__(self, path: str):
        self.path = path
        self._f = open(path, "a", buffering=1)
        self._lock = threading.Lock()

    def record(self, type: str, process: int | str, f: str, value: Any = None, **extra) -> dict:
        if type not in TYPES:
            raise ValueError(f"history: type {type!r} is not one of {', '.join(TYPES)}")
        op = {"type": type, "f": f, "value": value, "process": process, **extra,
              "time": time.monotonic_ns()}
        line = json.dumps(op, sort_keys=True)
        with self._lock:
            self._f.write(line + "\n")
        return op

    def invoke(self, process, f, value=None, **extra):
        return self.record("invoke", process, f, value, **extra)

    def ok(self, process, f, value=None, **extra):
        return self.record("ok", process, f, value, **extra)

    def fail(self, process, f, value=None, **extra):
        return self.record("fail", process, f, value, **extra)

    def info(self, process, f, value=None, **extra):
        return self.record("info", process, f, value, **extra)

    def flush(self) -> None:
        with self._lock:
            if not self._f.closed:
                self._f.flush()

    def close(self) -> None:
        with self._lock:
            self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read(path: str) -> list[dict]:
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


# --- Jepsen (EDN) ----------------------------------------------------------------

def _edn(v: Any) -> str:
    if v is None:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_edn(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_edn_key(k)} {_edn(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no EDN for {type(v).__name__}")


def _edn_key(k: str) -> str:
    return ":" + k if k.replace("-", "").replace("_", "").isalnum() else json.dumps(k)


def to_jepsen_edn(ops: Iterable[dict]) -> list[str]:
    """Jepsen's history: maps with keyword :type and :f, :process, :value,
    :time in nanoseconds since the first operation, and :index."""
    ops = sorted(ops, key=lambda o: o["time"])
    t0 = ops[0]["time"] if ops else 0
    out = []
    for i, o in enumerate(ops):
        fields = [f":index {i}", f":type :{o['type']}", f":f :{o['f']}",
                  f":process {_edn(o['process'])}", f":value {_edn(o.get('value'))}",
                  f":time {o['time'] - t0}"]
        for k, v in o.items():
            if k not in ("type", "f", "process", "value", "time"):
                fields.append(f"{_edn_key(k)} {_edn(v)}")
        out.append("{" + ", ".join(fields) + "}")
    return out


# --- Porcupine ---------------------------------------------------------------------

def to_porcupine(ops: Iterable[dict]) -> list[dict]:
    """Porcupine's []Operation: each invoke paired with its process's next
    completion. A fail did not happen: dropped. An info (or no completion)
    may have happened at any time after: its return is after every other
    operation's, as Porcupine wants for an operation that never returned."""
    ops = sorted(ops, key=lambda o: o["time"])
    end = (ops[-1]["time"] + 1) if ops else 0
    pending: dict[Any, dict] = {}
    out = []
    for o in ops:
        p = o["process"]
        if o["type"] == "invoke":
            pending[p] = o
            continue
        inv = pending.pop(p, None)
        if inv is None or o["type"] == "fail":
            continue
        done = o["type"] == "ok"
        out.append({"clientId": p, "input": {"f": inv["f"], "value": inv.get("value")},
                    "call": inv["time"], "output": o.get("value") if done else None,
                    "return": o["time"] if done else end})
    for p, inv in pending.items():
        out.append({"clientId": p, "input": {"f": inv["f"], "value": inv.get("value")},
                    "call": inv["time"], "output": None, "return": end})
    return sorted(out, key=lambda x: x["call"])


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("edn", "porcupine"):
        print("usage: python3 -m cboxlab.history edn|porcupine HISTORY.jsonl", file=sys.stderr)
        return 2
    ops = read(argv[1])
    if argv[0] == "edn":
        print("\n".join(to_jepsen_edn(ops)))
    else:
        print(json.dumps(to_porcupine(ops), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
