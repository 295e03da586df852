"""A Hypothesis fuzz of study folders: mutate a valid study (hostile values in any field, lines dropped or doubled,
bytes flipped) and load it, then run it when it loads. Any exception other than the documented errors
(``armsflow.errors.ArmsflowError``) fails the test: bad input must never end in a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import armsflow
from armsflow.errors import ArmsflowError

MINI = Path(__file__).parent / "data" / "mini"
FLAGSHIP = Path(armsflow.__file__).parent / "studies" / "russia-dprk"
EXAMPLES = int(__import__("os").environ.get("ARMSFLOW_FUZZ_EXAMPLES", "120"))
HOSTILE = ["", "0", "-1", "1e400", "-1e400", "nan", "inf", "1e-400", "9" * 400, "2099-01-01", "0001-01-01",
           "2024-02-30", "2024-10-28T00:00:00", "07:32:00", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "{a = 1}", '"x"',
           "true", "\x00", "\u202e", "'", '"', ",", "\n", "S1", "C1", "P1", "container", "billion USD",
           "USD/round", "1/0", "containers ** 400", "rpc / (rpc - rpc)", "__import__('os')", "A", "F", "6", "7",
           "H1", "2024-H3", "2024..2023", "-0", "1_000", "0x10", "１２", "<script>"]


@st.composite
def mutated(draw: st.DrawFn, base: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(base.iterdir()) if p.is_file() and not p.name.startswith(".")}
    FILES = sorted(files)  # noqa: N806 - the names of this base's files
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FILES))
        data = files[name]
        how = draw(st.sampled_from(["replace_token", "drop_line", "double_line", "flip_byte", "truncate"]))
        lines = data.split(b"\n")
        if how == "replace_token":
            text = data.decode("utf-8", errors="replace")
            tokens = [t for t in set(text.replace(",", " ").replace("=", " ").split()) if t]
            if tokens:
                old = draw(st.sampled_from(sorted(tokens)))
                files[name] = text.replace(old, draw(st.sampled_from(HOSTILE)), 1).encode("utf-8", "surrogatepass")
        elif how == "drop_line" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            files[name] = b"\n".join(lines)
        elif how == "double_line" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            files[name] = b"\n".join(lines)
        elif how == "flip_byte" and data:
            i = draw(st.integers(0, len(data) - 1))
            files[name] = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
        elif how == "truncate":
            files[name] = data[: draw(st.integers(0, len(data)))]
    return files


@settings(max_examples=EXAMPLES, deadline=None)
@given(files=mutated(MINI))
def test_a_mutated_small_study_raises_only_documented_errors(files: dict[str, bytes]) -> None:
    _load_and_run(files)


@settings(max_examples=max(EXAMPLES // 4, 10), deadline=None)
@given(files=mutated(FLAGSHIP))
def test_a_mutated_flagship_raises_only_documented_errors(files: dict[str, bytes]) -> None:
    _load_and_run(files)


def _load_and_run(files: dict[str, bytes]) -> None:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        try:
            study = armsflow.load_study(folder)
        except ArmsflowError:
            return
        try:
            armsflow.run(study, draws=500, sensitivity=False)
            armsflow.run(study, draws=500, sensitivity=True, as_of=study.meta.reference_date)
        except ArmsflowError:
            return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
