#!/usr/bin/python3
"""Executes every notebook in notebooks/ headless with the Deno kernel from node_modules.

Fails (exit 1) on the first cell error of each notebook, printing that cell and its error, and
when a committed notebook carries outputs (they must be stripped before committing). Prints how
long each notebook took. The executed copies are written to --out (default: a temp folder), never
over the committed notebooks.

    /usr/bin/python3 scripts/run-notebooks.py [--out DIR] [--timeout SECONDS] [notebook ...]

Needs Debian's Jupyter packages (they live under /usr/bin/python3):
    apt-get install -y --no-install-recommends python3-nbclient python3-nbformat python3-ipykernel jupyter-client
and `npm ci && npm run build` (the notebooks import the built package).
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "deno"
# Appended to every code cell while it runs: a cell whose marker never arrives was reported as
# finished before its code was (or lost its output), which must fail the run, not pass silently.
MARKER = "__cell_completed__"
# The pause lets Deno's kernel send the marker before it reports the cell idle: without it, a
# cell's last output is sometimes published after that and lost to a headless run.
MARKER_CODE = (
    f'\n;await Deno.jupyter.display({{ "text/plain": "{MARKER}" }}, {{ raw: true }});'
    "\nawait new Promise((resolve) => setTimeout(resolve, 50));"
)


def fail(message):
    print(f"run-notebooks: {message}", file=sys.stderr)
    sys.exit(1)


try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as error:
    fail(
        f"{error}. Install Debian's Jupyter packages and run with /usr/bin/python3: "
        "apt-get install -y --no-install-recommends python3-nbclient python3-nbformat python3-ipykernel jupyter-client"
    )


def install_kernelspec(data_dir: Path) -> None:
    """Writes a Deno kernelspec that points at node_modules' deno, in a private Jupyter path."""
    deno = ROOT / "node_modules" / ".bin" / "deno"
    if not deno.exists():
        fail(f"{deno} not found: run `npm ci` first")
    spec_dir = data_dir / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(deno.resolve()), "jupyter", "--kernel", "--conn", "{connection_file}"],
        "display_name": "Deno",
        "language": "typescript",
        "env": {"DENO_NO_UPDATE_CHECK": "1", "NO_COLOR": "1"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = str(data_dir)


def committed_outputs(notebook) -> int:
    """Characters of output stored in the notebook as committed."""
    return sum(len(json.dumps(cell.get("outputs", []))) - 2 for cell in notebook.cells if cell.cell_type == "code")


def error_text(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            trace = "\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}"
            return trace
    return "(no error output recorded)"


def run(path: Path, out_dir: Path, timeout: int) -> bool:
    notebook = nbformat.read(path, as_version=4)
    name = path.relative_to(ROOT)
    stored = committed_outputs(notebook)
    if stored > 0:
        print(f"FAIL {name}: committed with {stored} characters of outputs; clear them before committing")
        return False
    sources = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.source.strip():
            sources[index] = cell.source
            cell.source = cell.source + MARKER_CODE
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellExecutionError as error:
        failure = error
    except Exception as error:  # kernel died, timeout, ...
        failure = error
        print(f"FAIL {name}: {type(error).__name__}: {error}")
    elapsed = time.monotonic() - started
    incomplete = []
    for index, source in sources.items():
        cell = notebook.cells[index]
        cell.source = source
        outputs = cell.get("outputs", [])
        marked = [o for o in outputs if MARKER in str(o.get("data", {}).get("text/plain", ""))]
        cell.outputs = [o for o in outputs if o not in marked]
        if not marked and cell.get("execution_count") is not None and not any(o.get("output_type") == "error" for o in outputs):
            incomplete.append(index)
    nbformat.write(notebook, out_dir / path.name)
    if failure is None and incomplete:
        index = incomplete[0]
        print(
            f"FAIL {name}, cell {index} ({elapsed:.1f} s): the kernel reported the cell finished before its last "
            f"statement ran (or its output was lost).\n--- source ---\n{notebook.cells[index].source}"
        )
        return False
    if failure is not None:
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                print(f"FAIL {name}, cell {index} ({elapsed:.1f} s):\n--- source ---\n{cell.source}\n--- error ---\n{error_text(cell)}")
                break
        else:
            # Deno's kernel reports a syntax error without an error output or message.
            message = str(failure).strip().splitlines()[-1] if str(failure).strip() else type(failure).__name__
            where = f"cell {incomplete[0]}" if incomplete else "a cell"
            source = notebook.cells[incomplete[0]].source if incomplete else ""
            print(
                f"FAIL {name}, {where} ({elapsed:.1f} s): {message} (no error text from the kernel: "
                f"look for a syntax error)\n--- source ---\n{source}"
            )
        return False
    cells = sum(1 for cell in notebook.cells if cell.cell_type == "code")
    print(f"ok   {name}: {cells} code cells in {elapsed:.1f} s")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="folder for the executed copies (default: a temp folder)")
    parser.add_argument("--timeout", type=int, default=180, help="seconds per cell (default 180)")
    args = parser.parse_args()

    paths = [path.resolve() for path in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        fail("no notebooks found in notebooks/")
    if not (ROOT / "dist" / "index.js").exists():
        fail("dist/ not built: run `npm run build` first")
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="notebooks-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jupyter-") as data_dir:
        install_kernelspec(Path(data_dir))
        started = time.monotonic()
        results = [run(path, out_dir, args.timeout) for path in paths]
    failed = results.count(False)
    print(f"{len(paths) - failed}/{len(paths)} notebooks passed in {time.monotonic() - started:.1f} s; executed copies in {out_dir}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
