"""The examples import this checkout's cboxlab package when none is
installed (tests/integration/test_python.sh runs them with python/tests)."""
import os
import sys

try:
    import cboxlab  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
if not os.environ.get("CBOXLAB"):
    os.environ["CBOXLAB"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                         "build", "cboxlab")
