"""Every option that names an output folder goes through `fileio.make_folder`: a file in the
way or a place where no folder can be made is one line naming the option, before any work."""

from __future__ import annotations

import pytest

from braintank.errors import BraintankError
from braintank.fileio import make_folder

from .cli_errors import one_line_error


def test_make_folder_creates_missing_parents_and_accepts_an_existing_folder(tmp_path):
    made = make_folder(tmp_path / "a" / "b", "--out")
    assert made.is_dir()
    assert make_folder(made, "--out") == made


def test_make_folder_refuses_a_file_and_a_folder_under_a_file(tmp_path):
    existing = tmp_path / "file.txt"
    existing.write_text("keep me")
    with pytest.raises(BraintankError, match=r"^--show .*file\.txt: exists and is not a folder$"):
        make_folder(existing, "--show")
    with pytest.raises(BraintankError, match=r"^--out .*sub: cannot make the folder \(.+\)$"):
        make_folder(existing / "sub", "--out")
    assert existing.read_text() == "keep me"


def test_make_folder_can_check_without_making(tmp_path):
    existing = tmp_path / "file.txt"
    existing.write_text("keep me")
    later = tmp_path / "later" / "run"
    assert make_folder(later, "--out", create=False) == later
    assert not (tmp_path / "later").exists()
    with pytest.raises(BraintankError, match=r"^--out .*sub: cannot make the folder \(.+\)$"):
        make_folder(existing / "sub", "--out", create=False)


@pytest.mark.parametrize("argv, option", [
    (["experiment", "gradient-descent", "--quick", "--out", "{bad}"], "--out"),
    (["rl", "train", "cliff", "--out", "{bad}"], "--out"),
    (["predict", "--model", "{absent}", "--show", "{bad}", "{absent}"], "--show"),
    (["serve", "--db", "{db}", "--uploads", "{bad}"], "--uploads"),
])
def test_each_command_refuses_an_output_folder_under_a_file(capsys, tmp_path, argv, option):
    existing = tmp_path / "file.txt"
    existing.write_text("keep me")
    names = {"bad": str(existing / "sub"), "absent": str(tmp_path / "absent.pt"),
             "db": str(tmp_path / "sheets.db")}
    line = one_line_error(capsys, [a.format(**names) for a in argv])
    assert f"{option} {existing / 'sub'}: cannot make the folder" in line
    assert existing.read_text() == "keep me"
