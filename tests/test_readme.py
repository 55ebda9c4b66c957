"""The README's examples run, and print exactly what the README shows.

The README keeps two conventions, and this test holds it to them:

- A ```console block is a shell session. Its ``$ COMMAND`` lines run in order in one bash, with
  the venv's ``dedupe`` and ``python`` first on PATH, in a temporary folder holding a copy of
  ``seeds/`` and the ``reports/`` that ``dedupe run seeds/ --out reports/`` writes (never in the
  repository). What a command prints, stdout and stderr together as a terminal shows them, must
  equal the lines after it up to the next ``$`` line or the end of the block. A command must
  exit 0, unless the next command is ``echo $?``, which then shows its status.
- A ```python block is a script: the next block must be a console block that runs it as
  ``python NAME.py``; the script is saved as NAME.py in that block's folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent  # the venv's bin: `dedupe` and `python`
FENCE = re.compile(r"^```(\w*)\s*$")
RUNS_SCRIPT = re.compile(r"^python (\S+\.py)(\s|$)")
STATUS = re.compile(r"\x00(\d+)\x00")  # printed after each command: its exit status


@dataclass
class Block:
    lang: str
    line: int  # of the opening fence, 1-based
    body: list[str]
    scripts: dict[str, str] = field(default_factory=dict)  # for a console block: NAME.py -> code

    def commands(self) -> list[tuple[int, str, str]]:
        """(line, command, expected output) for each ``$`` line of a console block."""
        steps: list[tuple[int, str, list[str]]] = []
        for number, text in enumerate(self.body, self.line + 1):
            if text.startswith("$ "):
                steps.append((number, text[2:], []))
            elif not steps:
                raise AssertionError(f"README.md:{number}: output before the first `$` line")
            else:
                steps[-1][2].append(text)
        return [(n, command, "".join(f"{s}\n" for s in out)) for n, command, out in steps]


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, each python block's script attached to the
    console block that runs it."""
    found: list[Block] = []
    current: Block | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if current is None:
            if m := FENCE.match(line):
                current = Block(m.group(1), number, [])
        elif line.rstrip() == "```":
            found.append(current)
            current = None
        else:
            current.body.append(line)
    assert current is None, f"README.md:{current.line}: block not closed"
    for python, runner in pairwise(found):
        if python.lang == "python" and runner.lang == "console":
            for _, command, _ in runner.commands():
                if m := RUNS_SCRIPT.match(command):
                    runner.scripts[m.group(1)] = "\n".join(python.body) + "\n"
                    break
    return found


BLOCKS = blocks(README.read_text(encoding="utf-8"))
CONSOLE = [b for b in BLOCKS if b.lang == "console"]


def block_id(block: Block) -> str:
    return f"line {block.line}: {block.commands()[0][1][:50]}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as after `make demo`: seeds/ and the reports written from them."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    done = subprocess.run(
        [BIN / "dedupe", "run", "seeds/", "--out", "reports/", "--quiet"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return folder


def session(commands: list[str], cwd: Path) -> list[tuple[str, int]]:
    """Run ``commands`` in one bash; (what it printed, exit status) for each."""
    script = "".join(
        f'{command}\n__status=$?; printf "\\0%d\\0" "$__status"; (exit "$__status")\n'
        for command in commands
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as in a terminal
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"):
        env.pop(name, None)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=120,
    )
    parts = STATUS.split(done.stdout.decode("utf-8", errors="backslashreplace"))
    assert len(parts) == 2 * len(commands) + 1 and parts[-1] == "", (
        f"the session stopped early:\n{parts}"
    )
    return [(parts[2 * i], int(parts[2 * i + 1])) for i in range(len(commands))]


@pytest.mark.parametrize("block", CONSOLE, ids=block_id)
def test_console_block_prints_what_it_shows(block: Block, demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(demo, folder)
    for name, code in block.scripts.items():
        (folder / name).write_text(code, encoding="utf-8")
    steps = block.commands()
    results = session([command for _, command, _ in steps], folder)
    for i, ((line, command, expected), (printed, status)) in enumerate(
        zip(steps, results, strict=True)
    ):
        where = f"README.md:{line}: $ {command}"
        assert printed == expected, f"{where}  (- README, + printed)"
        shown = i + 1 < len(steps) and steps[i + 1][1] == "echo $?"
        assert status == 0 or shown, f"{where}\nexited {status}; show it with `$ echo $?`"


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.lang == "python"], ids=lambda b: f"line {b.line}"
)
def test_every_python_block_is_run_by_the_console_block_after_it(block: Block) -> None:
    after = BLOCKS[BLOCKS.index(block) + 1 :]
    assert after and after[0].lang == "console", (
        f"README.md:{block.line}: follow the python block with a console block "
        "`$ python NAME.py` showing what it prints"
    )
    assert "\n".join(block.body) + "\n" in after[0].scripts.values(), (
        f"README.md:{after[0].line}: no `$ python NAME.py` runs the python block above it"
    )


def test_the_ingestion_example_is_ten_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    heading = lines.index("## Ingestion in ten lines") + 1
    example = next(b for b in BLOCKS if b.lang == "python" and b.line > heading)
    assert len([line for line in example.body if line.strip()]) == 10
