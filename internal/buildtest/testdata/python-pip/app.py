"""Print the release checklist of a small project, for CI logs."""

from importlib.metadata import version

from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table

NOTES = """\
# Release 2.3.0

* Faster start-up: the config is parsed **once**.
* New `--dry-run` flag.
"""

SNIPPET = """\
def greet(name):
    return f"hello, {name}"
"""


def main():
    # A fixed width and no colour: the report goes to log files.
    console = Console(width=60, color_system=None, force_terminal=False)
    table = Table(title="Checklist")
    table.add_column("Step")
    table.add_column("Owner")
    table.add_column("Done", justify="right")
    for step, owner, done in [
        ("Changelog", "ana", "yes"),
        ("Tag release", "bo", "yes"),
        ("Announce", "chen", "no"),
    ]:
        table.add_row(step, owner, done)
    with console.capture() as capture:
        console.print(Markdown(NOTES))
        console.print(table)
        console.print(Syntax(SNIPPET, "python", line_numbers=True))
        console.print("rendered with rich " + version("rich"))
    # Log files need no padding.
    for line in capture.get().splitlines():
        print(line.rstrip())


if __name__ == "__main__":
    main()
