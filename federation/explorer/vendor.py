"""The explorer's vendored browser libraries, refreshed from npm:
``python -m federation.explorer.vendor``.

The versions are pinned by ``assets/package.json`` and ``assets/package-lock.json``; this runs
``npm ci`` there (no install scripts) and copies each package's built file into
``static/vendor/``, with one ``LICENSES.txt`` naming every package, its version and its
licence text. The copies are committed, so an instance — and its tests — never need npm or the
internet; only a change of version needs this command (edit package.json, ``npm install
--package-lock-only`` in ``assets/``, then run it and commit ``static/vendor/``).

GraphiQL stays on 3.8 with React 18: the last line that ships a browser (UMD) build, which
the page loads with plain ``<script>`` tags. No SVG exporter is vendored: the one on npm is
GPL-3.0, and the explorer draws its SVG itself.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["VENDORED", "refresh"]

_HERE = Path(__file__).parent
ASSETS = _HERE / "assets"
VENDOR = _HERE / "static" / "vendor"

# (npm package, its built file, the name served under /explorer/static/vendor/)
VENDORED: tuple[tuple[str, str, str], ...] = (
    ("react", "umd/react.production.min.js", "react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"),
    ("graphiql", "graphiql.min.js", "graphiql.min.js"),
    ("graphiql", "graphiql.min.css", "graphiql.min.css"),
    ("cytoscape", "dist/cytoscape.min.js", "cytoscape.min.js"),
    ("dagre", "dist/dagre.min.js", "dagre.min.js"),
    ("cytoscape-dagre", "dist/cytoscape-dagre.js", "cytoscape-dagre.js"),
)


def _licence(package_dir: Path, manifest: dict[str, object]) -> str:
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "license"):
        found = package_dir / name
        if found.is_file():
            return found.read_text(encoding="utf-8").strip()
    return f"{manifest.get('license')} (the package ships no licence file; see its package.json)"


def refresh(assets: Path = ASSETS, vendor: Path = VENDOR) -> list[Path]:
    """`npm ci` in `assets`, then the built files and licences copied into `vendor`."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH: refreshing the vendored files needs Node's npm")
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=assets, check=True
    )
    vendor.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    notices: dict[str, str] = {}
    for package, built, served in VENDORED:
        package_dir = assets / "node_modules" / package
        manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
        source = package_dir / built
        shutil.copyfile(source, vendor / served)
        written.append(vendor / served)
        notices.setdefault(
            package,
            f"{package} {manifest['version']} ({manifest.get('license')})\n\n"
            + _licence(package_dir, manifest),
        )
    licences = vendor / "LICENSES.txt"
    separator = "\n\n" + "=" * 72 + "\n\n"
    licences.write_text(separator.join(notices.values()) + "\n", encoding="utf-8")
    written.append(licences)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    for path in refresh():
        sys.stdout.write(f"{path.relative_to(_HERE)}\n")
