"""A PEP 517 build backend for the cboxlab package, standard library only.

pip builds `pip install ./python` with it without fetching setuptools; `make
install` uses it too (`python3 cboxlab_build.py install SITE_DIR` unpacks the
wheel there, with the pytest11 entry point that makes the fixture appear).
The package is pure Python: a wheel is its files, its metadata and a RECORD.
"""
import base64
import hashlib
import io
import os
import sys
import tarfile
import tomllib
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PACKAGE = "cboxlab"


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def _metadata(p):
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p['description']}",
        f"Requires-Python: {p['requires-python']}",
    ]
    return "\n".join(lines) + "\n"


def _entry_points(p):
    out = []
    for group, entries in p.get("entry-points", {}).items():
        out.append(f"[{group}]")
        out += [f"{k} = {v}" for k, v in entries.items()]
        out.append("")
    return "\n".join(out)


def _package_files():
    base = os.path.join(ROOT, PACKAGE)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                full = os.path.join(dirpath, name)
                yield os.path.relpath(full, ROOT), full


def _dist_info(p):
    return f"{p['name']}-{p['version']}.dist-info"


def _wheel_name(p):
    return f"{p['name']}-{p['version']}-py3-none-any.whl"


def _write_wheel(path, p):
    record = []
    info = _dist_info(p)

    def add(zf, arcname, data):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append(f"{arcname},sha256={digest.decode()},{len(data)}")
        zf.writestr(arcname, data)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, full in _package_files():
            with open(full, "rb") as f:
                add(zf, arcname, f.read())
        add(zf, f"{info}/METADATA", _metadata(p).encode())
        add(zf, f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: cboxlab_build\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n")
        add(zf, f"{info}/entry_points.txt", _entry_points(p).encode())
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")


# --- PEP 517 -----------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    p = _project()
    _write_wheel(os.path.join(wheel_directory, _wheel_name(p)), p)
    return _wheel_name(p)


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    name = f"{p['name']}-{p['version']}"
    path = os.path.join(sdist_directory, name + ".tar.gz")
    with tarfile.open(path, "w:gz") as tf:
        for rel in ["pyproject.toml", "build_backend/cboxlab_build.py"]:
            tf.add(os.path.join(ROOT, rel), f"{name}/{rel}")
        for rel, full in _package_files():
            tf.add(full, f"{name}/{rel}")
        pkg_info = _metadata(p).encode()
        ti = tarfile.TarInfo(f"{name}/PKG-INFO")
        ti.size = len(pkg_info)
        tf.addfile(ti, io.BytesIO(pkg_info))
    return os.path.basename(path)


def install(site_dir):
    """Unpack the wheel into site_dir (make install)."""
    p = _project()
    os.makedirs(site_dir, exist_ok=True)
    wheel = os.path.join(site_dir, _wheel_name(p))
    _write_wheel(wheel, p)
    try:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site_dir)
    finally:
        os.unlink(wheel)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "install":
        sys.exit("usage: cboxlab_build.py install SITE_DIR")
    install(sys.argv[2])
