"""The `cboxlab_lab` fixture: a lab per test, brought down afterwards.

The topology comes from the test's marker, or from indirect parametrization:

    @pytest.mark.cboxlab_topology("topologies/p2p.json")      # a file
    def test_a(cboxlab_lab): ...

    @pytest.mark.cboxlab_topology({"name": "tx", "nodes": {...}})   # a dict
    @pytest.mark.cboxlab_topology(make_topology)   # a callable returning one
    @pytest.mark.parametrize("cboxlab_lab", [topo1, topo2], indirect=True)

When the test fails, its report gets a section with the lab's status, every
node's console, the chaos event logs and the lab's history.
"""
from __future__ import annotations

import pytest

from .lab import Lab


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cboxlab_topology(topology): the cboxlab_lab fixture's topology "
        "(a file, a dict, or a callable returning one)")


def _topology(request):
    if hasattr(request, "param"):
        topo = request.param
    else:
        marker = request.node.get_closest_marker("cboxlab_topology")
        if marker is None or not marker.args:
            raise pytest.UsageError(
                "cboxlab_lab needs a topology: @pytest.mark.cboxlab_topology(FILE|DICT|CALLABLE) "
                "or parametrize(..., indirect=True)")
        topo = marker.args[0]
    return topo() if callable(topo) else topo


@pytest.fixture
def cboxlab_lab(request):
    with Lab.up(_topology(request)) as lab:
        request.node._cboxlab_lab = lab
        yield lab


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    lab = getattr(item, "_cboxlab_lab", None)
    # At the call's report the lab is still up (the fixture's teardown
    # comes after): its state is the one the test failed in.
    if lab is not None and rep.when == "call" and rep.failed:
        rep.sections.append((f"cboxlab lab {lab.name}", lab.diagnostics()))
