"""Drive cboxlab labs from Python through the `cboxlab` command.

    from cboxlab import Lab
    with Lab.up("topologies/p2p.json") as lab:
        lab.partition(["a"], ["b"])
        events = lab.chaos(nemesis="random-halves", interval="1s", duration="4s", seed=7)

The pytest plugin (cboxlab.pytest_plugin, loaded by pytest when the package
is installed) gives the `cboxlab_lab` fixture. Histories: cboxlab.history.
"""
from .history import History
from .lab import (CboxlabError, Event, ExecError, Fault, Interface, Lab, Node, Result, Status,
                  find_cboxlab, read_events)

__all__ = ["Lab", "CboxlabError", "ExecError", "Result", "Node", "Interface", "Fault", "Status",
           "Event", "History", "find_cboxlab", "read_events"]
