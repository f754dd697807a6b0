"""Repackage Debian's pure-Python packages as wheels.

Usage: python3 mkwheel.py DIST_PACKAGES OUTDIR

Every *.dist-info or *.egg-info directory in DIST_PACKAGES becomes
OUTDIR/<name>-<version>-py3-none-any.whl holding its top-level packages,
METADATA (an egg's PKG-INFO with requires.txt as Requires-Dist), WHEEL,
entry_points.txt and a fresh RECORD. The zip is deterministic: sorted
entries, fixed times. Package buildtest runs it in the python image at
preparation time to fill its mirror's PEP 503 index.
"""

import base64
import hashlib
import os
import re
import sys
import zipfile


def egg_metadata(info):
    with open(os.path.join(info, "PKG-INFO"), encoding="utf-8") as f:
        head, _, body = f.read().partition("\n\n")
    extras, requires = [], []
    req = os.path.join(info, "requires.txt")
    section = ""
    if os.path.exists(req):
        for line in open(req, encoding="utf-8"):
            line = line.strip()
            if not line:
                continue
            if line.startswith("["):
                section = line[1:-1]
                extra = section.partition(":")[0]
                if extra and extra not in extras:
                    extras.append(extra)
                continue
            extra, _, marker = section.partition(":")
            conds = []
            if marker:
                conds.append("(" + marker + ")")
            if extra:
                conds.append('extra == "%s"' % extra)
            requires.append(line + ("; " + " and ".join(conds) if conds else ""))
    lines = [head.rstrip("\n")]
    lines += ["Provides-Extra: " + e for e in extras]
    lines += ["Requires-Dist: " + r for r in requires]
    return ("\n".join(lines) + "\n\n" + body).encode("utf-8")


def field(metadata, name):
    for line in metadata.decode("utf-8").splitlines():
        if not line:
            break
        key, _, value = line.partition(": ")
        if key == name:
            return value
    raise SystemExit("no %s in metadata" % name)


def top_levels(site, info):
    if info.endswith(".egg-info"):
        with open(os.path.join(site, info, "top_level.txt")) as f:
            return sorted(n.strip() for n in f if n.strip())
    tops = set()
    with open(os.path.join(site, info, "RECORD")) as f:
        for row in f:
            p = row.split(",")[0]
            first = p.split("/")[0]
            if not p or first.startswith("..") or first == info or first.endswith(".dist-info"):
                continue
            tops.add(first[:-3] if first.endswith(".py") else first)
    return sorted(tops)


def files_of(site, top):
    if os.path.isfile(os.path.join(site, top + ".py")):
        yield top + ".py"
        return
    for root, dirs, files in os.walk(os.path.join(site, top)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".so")):
                yield os.path.relpath(os.path.join(root, name), site)


def digest(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + h.decode("ascii")


def wheel(site, info, outdir):
    src = os.path.join(site, info)
    if info.endswith(".egg-info"):
        metadata = egg_metadata(src)
    else:
        with open(os.path.join(src, "METADATA"), "rb") as f:
            metadata = f.read()
    name = re.sub(r"[-_.]+", "_", field(metadata, "Name"))
    version = field(metadata, "Version")
    distinfo = "%s-%s.dist-info" % (name, version)
    entries = []
    for top in top_levels(site, info):
        for rel in files_of(site, top):
            with open(os.path.join(site, rel), "rb") as f:
                entries.append((rel, f.read()))
    entries.append((distinfo + "/METADATA", metadata))
    entries.append((distinfo + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: buildtest mkwheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    eps = os.path.join(src, "entry_points.txt")
    if os.path.exists(eps):
        with open(eps, "rb") as f:
            entries.append((distinfo + "/entry_points.txt", f.read()))
    record = "".join("%s,%s,%d\n" % (n, digest(d), len(d)) for n, d in entries)
    entries.append((distinfo + "/RECORD", (record + distinfo + "/RECORD,,\n").encode("utf-8")))
    out = os.path.join(outdir, "%s-%s-py3-none-any.whl" % (name, version))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries:
            zi = zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, d)
    print("%s: %d files, %d bytes" % (os.path.basename(out), len(entries), os.path.getsize(out)))


def main():
    site, outdir = sys.argv[1], sys.argv[2]
    infos = sorted(d for d in os.listdir(site) if d.endswith((".dist-info", ".egg-info")))
    if not infos:
        raise SystemExit("no distributions in " + site)
    for info in infos:
        wheel(site, info, outdir)


if __name__ == "__main__":
    main()
