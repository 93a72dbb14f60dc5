"""The cboxlab_lab fixture, run by an inner pytest: a lab per test from a
file, a dict or a callable, down afterwards (also when the test fails),
and a failed test's report showing the lab's state and logs."""
import json
import os

from conftest import HERE, leftovers, needs_root, topo

pytestmark = needs_root

CONFTEST = f"""
import sys
sys.path.insert(0, {os.path.dirname(HERE)!r})
import cboxlab.pytest_plugin

def pytest_configure(config):
    if not config.pluginmanager.is_registered(cboxlab.pytest_plugin):
        config.pluginmanager.register(cboxlab.pytest_plugin, "cboxlab-checkout")
"""


def test_fixture(pytester, tmp_path):
    failing = topo("tpfixd")
    failing["nodes"]["a"]["cmd"] = "echo to-the-console"
    path = tmp_path / "tpfixf.json"
    path.write_text(json.dumps(topo("tpfixf")))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(f"""
import json, subprocess, pytest

@pytest.mark.cboxlab_topology({str(path)!r})
def test_from_file(cboxlab_lab):
    assert cboxlab_lab.name == "tpfixf"
    assert cboxlab_lab.exec("a", "hostname").stdout == "a\\n"

@pytest.mark.cboxlab_topology(lambda: {json.dumps(topo("tpfixg"))})
def test_from_callable(cboxlab_lab):
    assert list(cboxlab_lab.nodes) == ["a", "b"]

@pytest.mark.parametrize("cboxlab_lab", [{json.dumps(failing)}], indirect=True)
def test_fails(cboxlab_lab):
    cboxlab_lab.record("invoke", 7, "write", 42)
    cboxlab_lab.chaos({{"steps": [{{"at": "0s", "do": "pause", "node": "b"}},
                                 {{"at": "0.1s", "do": "end"}}]}})
    assert False, "on purpose"
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:cboxlab")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    section = out[out.index("cboxlab lab tpfixd"):]
    assert "lab tpfixd: up" in section
    assert "--- logs of a ---" in section and "to-the-console" in section
    assert '"event":"apply"' in section and '"fault":"pause"' in section
    assert '"process": 7' in section and '"value": 42' in section
    assert "cboxlab lab tpfixf" not in out  # passed tests: no section
    for lab in ("tpfixf", "tpfixg", "tpfixd"):
        assert leftovers(lab) == [], lab


def test_fixture_without_a_topology_says_so(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile("""
def test_x(cboxlab_lab):
    pass
""")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:cboxlab")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cboxlab_lab needs a topology*"])
