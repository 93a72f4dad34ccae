"""Reading an inbox: athlete ids by the one rule (odd folder names skipped with a line, never
read as anyone), symbolic links never followed, hashes streamed, copies of recorded bytes set
apart, files over the size cap noted in the quarantine instead of copied. Real FIT files of
the bundled team, folders made on disk."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from stridewise.features.fit.activity import MAX_FILE_BYTES
from stridewise.store.ids import ATHLETE_ID_RULE
from stridewise.store.inbox import (
    InboxFile,
    copy_rows,
    file_sha256,
    in_batches,
    quarantine,
    scan_inbox,
    split_copies,
)
from stridewise.store.inputs import InputError, Skipped, athlete_files, file_athlete
from stridewise.store.tables import MANIFEST_SCHEMA
from tests.corpus import SAMPLES

RUNS = sorted((SAMPLES / "inbox" / "z001").glob("*.fit"))
SPACE = "it is empty, too long, or holds a space or punctuation"
INVISIBLE = "it holds an invisible, control or unassigned character"
LOOK_ALIKE = "it holds look-alike characters (its NFKC form differs)"


def put(folder: Path, *runs: Path) -> list[Path]:
    """Copies of real FIT files in `folder` (made), by their own names."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(run, folder / run.name)) for run in runs]


@pytest.mark.parametrize(
    ("name", "escaped", "reason"),
    [
        ("Anna Müller", "'Anna Müller'", SPACE),
        (" trailing ", "' trailing '", SPACE),
        ("semi;colon", "'semi;colon'", SPACE),
        ("b001\u200b", "'b001\\u200b'", INVISIBLE),  # a zero-width space
        ("\u202eb001", "'\\u202eb001'", INVISIBLE),  # a right-to-left override
        (".hidden", "'.hidden'", SPACE),
        ("\uff5a\uff10\uff10\uff11", "'\uff5a\uff10\uff10\uff11'", LOOK_ALIKE),  # fullwidth z001
    ],
)
def test_a_folder_that_is_not_an_athlete_id_is_skipped_with_a_line(
    tmp_path: Path, name: str, escaped: str, reason: str
) -> None:
    inbox = tmp_path / "inbox"
    kept = put(inbox / "z001", RUNS[0])
    put(inbox / name, RUNS[1], RUNS[2])
    scan = scan_inbox(inbox)
    assert [(f.athlete_id, f.path) for f in scan.files] == [("z001", kept[0])]
    line = f"{inbox}: 2 FIT files skipped: folder {escaped} is not an athlete id: {reason}; "
    assert scan.skipped == [Skipped("folder", line + ATHLETE_ID_RULE)]
    with pytest.raises(InputError) as refused:  # by default, a refusal
        list(athlete_files([inbox]))
    assert str(refused.value) == line + ATHLETE_ID_RULE


def test_a_folder_with_no_fit_file_is_passed_over_in_silence(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    put(inbox / "z001", RUNS[0])
    (inbox / ".stfolder").mkdir()  # what Syncthing keeps at a synced folder's root
    (inbox / "Anna Müller").mkdir()
    (inbox / "Anna Müller" / "notes.txt").write_text("no watch file here")
    scan = scan_inbox(inbox)
    assert scan.skipped == [] and [f.athlete_id for f in scan.files] == ["z001"]


def test_a_decomposed_folder_name_is_the_composed_athlete(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    decomposed = put(inbox / "Zoe\u0308", RUNS[0])  # as macOS writes it
    composed = put(inbox / "Zo\u00eb", RUNS[1])  # as typed on Linux
    scan = scan_inbox(inbox)
    assert scan.skipped == []
    assert sorted((f.athlete_id, f.path) for f in scan.files) == sorted(
        [("Zo\u00eb", decomposed[0]), ("Zo\u00eb", composed[0])]
    )
    assert file_athlete(decomposed[0]) == "Zo\u00eb"


def test_a_file_named_on_its_own_in_a_folder_that_is_not_an_id_is_refused(
    tmp_path: Path,
) -> None:
    (file,) = put(tmp_path / "Anna Müller", RUNS[0])
    expected = (
        f"'{file}': the folder it is in, 'Anna Müller' is not an athlete id: {SPACE}; "
        + ATHLETE_ID_RULE
    )
    with pytest.raises(InputError) as refused:
        file_athlete(file)
    assert str(refused.value) == expected
    said: list[Skipped] = []
    assert list(athlete_files([file], said.append)) == []
    assert said == [Skipped("folder", expected)]
    (other,) = put(tmp_path / "b002", RUNS[0])
    assert list(athlete_files([other])) == [("b002", other)]


def test_symbolic_links_are_never_followed(tmp_path: Path) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    put(outside, RUNS[1])
    (real,) = put(inbox / "a001", RUNS[0])
    links = {
        inbox / "a001" / "hostname.fit": Path("/etc/hostname"),  # out of the inbox
        inbox / "a001" / "inside.fit": real,  # inside it: refused alike (documented)
        inbox / "a001" / "away": outside,  # a folder out of it
        inbox / "b001": outside,  # an athlete's folder that is a link
    }
    for link, target in links.items():
        link.symlink_to(target)
    scan = scan_inbox(inbox)
    assert [(f.athlete_id, f.path) for f in scan.files] == [("a001", real)]
    why = "skipped: a symbolic link (never followed: an inbox holds the files themselves)"
    assert scan.skipped == [
        Skipped("link", f"{inbox / 'a001' / name}: {why}")
        for name in ("away", "hostname.fit", "inside.fit")
    ] + [Skipped("link", f"{inbox / 'b001'}: {why}")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_that_cannot_be_read_is_skipped_and_left_for_the_next_night(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    (locked,) = put(inbox / "a001", RUNS[0])
    locked.chmod(0)
    scan = scan_inbox(inbox)
    assert scan.files == []
    assert scan.skipped == [Skipped("file", f"{locked}: skipped: cannot read: Permission denied")]


def test_a_hash_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    for run in RUNS[:3]:
        assert file_sha256(run) == hashlib.sha256(run.read_bytes()).hexdigest()
    link = tmp_path / "link.fit"
    link.symlink_to(RUNS[0])
    with pytest.raises(OSError):  # a link swapped in after the listing is not read
        file_sha256(link)


def test_hashing_streams_the_file(tmp_path: Path) -> None:
    """A 512 MiB file hashed in a fresh process raises its peak memory by far less than its
    size (reading it whole would add 512 MiB)."""
    big = tmp_path / "big.fit"
    with big.open("wb") as file:
        file.truncate(512 << 20)  # sparse: no disk used
    probe = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from stridewise.store.inbox import file_sha256\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "digest = file_sha256(Path(sys.argv[1]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(digest, after - before)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(big)], capture_output=True, text=True, check=True
    )
    digest, grown_kib = done.stdout.split()
    zeros = hashlib.sha256()
    for _ in range(512):
        zeros.update(bytes(1 << 20))
    assert digest == zeros.hexdigest()
    assert int(grown_kib) < 32 << 10  # KiB: under 32 MiB


def test_a_file_over_the_size_cap_is_noted_in_the_quarantine_not_copied(tmp_path: Path) -> None:
    data = tmp_path / "data"
    huge = tmp_path / "inbox" / "a001" / "huge.fit"
    huge.parent.mkdir(parents=True)
    subprocess.run(["truncate", "-s", str(MAX_FILE_BYTES + 1), str(huge)], check=True)
    reason = "over the limit"
    note = quarantine(InboxFile("a001", huge, "ab" * 32), data, reason)
    assert note == data / "quarantine" / "a001" / f"{'ab' * 32}.txt"
    assert list(note.parent.iterdir()) == [note]
    cap = f"{MAX_FILE_BYTES:,}"
    assert note.read_text() == f"{huge}\n{reason}\nnot copied: over the {cap}-byte size cap\n"
    (small,) = put(tmp_path / "inbox" / "a001", RUNS[0])
    copy = quarantine(InboxFile("a001", small, "cd" * 32), data, "unreadable")
    assert copy == data / "quarantine" / "a001" / f"{'cd' * 32}.fit"
    assert copy.read_bytes() == RUNS[0].read_bytes()


def test_copies_of_recorded_bytes_are_set_apart_naming_the_original(tmp_path: Path) -> None:
    a, b, c = (InboxFile(who, tmp_path / who / "x.fit", sha) for who, sha in (
        ("a001", "1" * 64), ("b002", "1" * 64), ("b002", "2" * 64)
    ))
    repeat = InboxFile("c003", tmp_path / "c003" / "y.fit", "3" * 64)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    manifest = pl.DataFrame(
        [
            ("3" * 64, "z009", "old/z009/copy.fit", "duplicate", "copy", day.replace(day=2)),
            ("3" * 64, "z009", "old/z009/y.fit", "ingested", None, day),
        ],
        schema=MANIFEST_SCHEMA,
        orient="row",
    ).select("sha256", "path", "athlete_id", "seen_at")
    fresh, copies = split_copies([a, b, c, repeat], manifest)
    assert fresh == [a, c]
    assert [(copy.file, copy.original, copy.owner) for copy in copies] == [
        (b, str(a.path), "a001"),
        (repeat, "old/z009/y.fit", "z009"),  # the earliest recording, not a later copy
    ]
    assert copies[0].line == (
        f"{b.path}: the same file as {a.path}, recorded for a001; not counted again"
    )
    same = split_copies([a, InboxFile("a001", tmp_path / "a001" / "z.fit", "1" * 64)], manifest)
    assert same[1][0].reason == f"the same file as {a.path}"  # a re-synced copy: no owner
    rows = copy_rows(copies, day)
    assert rows.select("athlete_id", "path", "status").rows() == [
        ("b002", str(b.path), "duplicate"),
        ("c003", str(repeat.path), "duplicate"),
    ]
    assert rows["reason"].to_list() == [
        f"the same file as {a.path}, recorded for a001",
        "the same file as old/z009/y.fit, recorded for z009",
    ]


def test_the_features_command_says_each_skipped_folder_and_reads_no_one_else(
    tmp_path: Path,
) -> None:
    from tests.test_cli import stridewise

    inbox = tmp_path / "inbox"
    put(inbox / "z001", *RUNS[:2])
    put(inbox / "b001\u200b", RUNS[2])
    out = ("--out", tmp_path / "days.parquet", "--runs", tmp_path / "runs.parquet")
    done = stridewise("features", inbox, *out)
    assert done.returncode == 0, done.stderr
    line = f"{inbox}: 1 FIT file skipped: folder 'b001\\u200b' is not an athlete id: {INVISIBLE}"
    assert f"{line}; {ATHLETE_ID_RULE}\n" in done.stderr
    assert pl.read_parquet(tmp_path / "runs.parquet")["athlete_id"].to_list() == ["z001"] * 2


def test_batches_are_bounded_by_files_and_by_bytes(tmp_path: Path) -> None:
    sizes = [3, 3, 3, 10, 1, 1, 1, 1, 1]
    files = [InboxFile("a001", tmp_path / f"{i}.fit", f"{i:064x}", n) for i, n in enumerate(sizes)]
    batches = in_batches(files, most_files=4, most_bytes=7)
    # 3+3 fit in 7, a third 3 would make 9; 10 is over alone; then 1+1+1+1 hits four files
    assert [[f.size for f in batch] for batch in batches] == [[3, 3], [3], [10], [1, 1, 1, 1], [1]]
    assert [f for batch in batches for f in batch] == files  # in order, none lost
    assert in_batches([], most_files=4, most_bytes=7) == []
