"""Histories without root: the writer's lines, and the converters to
Jepsen's EDN and Porcupine's operations."""
import json
import subprocess
import sys
import time

import pytest

from conftest import HERE
from cboxlab import history
from cboxlab.history import History

OPS = [
    {"type": "invoke", "f": "write", "value": 1, "process": 0, "time": 1000},
    {"type": "invoke", "f": "read", "value": None, "process": 1, "time": 1100},
    {"type": "ok", "f": "write", "value": 1, "process": 0, "time": 1500},
    {"type": "ok", "f": "read", "value": 1, "process": 1, "time": 1600},
    {"type": "invoke", "f": "write", "value": 2, "process": 0, "time": 2000},
    {"type": "info", "f": "write", "value": 2, "process": 0, "time": 2500, "error": "timeout"},
    {"type": "invoke", "f": "cas", "value": [1, 3], "process": 1, "time": 2600},
    {"type": "fail", "f": "cas", "value": [1, 3], "process": 1, "time": 2700},
    {"type": "invoke", "f": "read", "value": None, "process": 2, "time": 2800},
]


def test_writer_lines_on_the_monotonic_clock(tmp_path):
    path = tmp_path / "h.jsonl"
    before = time.monotonic_ns()
    with History(str(path)) as h:
        h.invoke(0, "write", 1)
        h.ok(0, "write", 1)
        h.record("info", "c1", "read", None, error="timeout")
        with pytest.raises(ValueError):
            h.record("done", 0, "write", 1)
    after = time.monotonic_ns()
    ops = history.read(str(path))
    assert [(o["type"], o["process"], o["f"], o["value"]) for o in ops] == [
        ("invoke", 0, "write", 1), ("ok", 0, "write", 1), ("info", "c1", "read", None)]
    assert ops[2]["error"] == "timeout"
    times = [o["time"] for o in ops]
    assert before <= times[0] <= times[1] <= times[2] <= after


def test_jepsen_edn():
    edn = history.to_jepsen_edn(OPS)
    assert edn[0] == "{:index 0, :type :invoke, :f :write, :process 0, :value 1, :time 0}"
    assert edn[5] == ('{:index 5, :type :info, :f :write, :process 0, :value 2, :time 1500, '
                      ':error "timeout"}')
    assert edn[6] == "{:index 6, :type :invoke, :f :cas, :process 1, :value [1 3], :time 1600}"
    assert edn[1].endswith(":value nil, :time 100}")


def test_porcupine():
    ops = history.to_porcupine(OPS)
    assert ops == [
        {"clientId": 0, "input": {"f": "write", "value": 1}, "call": 1000, "output": 1,
         "return": 1500},
        {"clientId": 1, "input": {"f": "read", "value": None}, "call": 1100, "output": 1,
         "return": 1600},
        # info: it may have happened, at any time after its call
        {"clientId": 0, "input": {"f": "write", "value": 2}, "call": 2000, "output": None,
         "return": 2801},
        # the failed cas did not happen: gone; the read never returned
        {"clientId": 2, "input": {"f": "read", "value": None}, "call": 2800, "output": None,
         "return": 2801},
    ]


def test_converter_command(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in OPS))
    env = {"PYTHONPATH": str(HERE.rsplit("/", 1)[0])}
    out = subprocess.run([sys.executable, "-m", "cboxlab.history", "edn", str(path)],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert out.splitlines()[0].startswith("{:index 0, :type :invoke")
    out = subprocess.run([sys.executable, "-m", "cboxlab.history", "porcupine", str(path)],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert len(json.loads(out)) == 4
