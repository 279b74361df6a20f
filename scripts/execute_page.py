"""Execute one book page (MyST Markdown) top to bottom in a fresh kernel, echoing what its cells print.

Usage: python scripts/execute_page.py book/cifar10-cnn.md

The page runs in its own folder, as in the book build. Environment variables reach the kernel, so a switch such as
``COURSE_FULL_RUN=1`` selects a page's long mode. A failing cell stops the run with a non-zero exit status.
"""

from __future__ import annotations

import sys
from pathlib import Path

from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


class EchoingClient(NotebookClient):
    """A notebook client that also writes every printed line of the cells to this process's stdout."""

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            stream = sys.stdout if msg["content"]["name"] == "stdout" else sys.stderr
            stream.write(msg["content"]["text"])
            stream.flush()
        return super().output(outs, msg, display_id, cell_index)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    page = Path(argv[0]).resolve()
    notebook = read_myst_markdown_notebook(page.read_text(encoding="utf-8"))
    client = EchoingClient(
        notebook, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(page.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
