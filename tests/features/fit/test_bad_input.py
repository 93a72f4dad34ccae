"""Bad files give a FitDecodeError with the path and a one-line reason; cut-short files keep
the records before the damage, marked truncated."""

from __future__ import annotations

import struct
from pathlib import Path

import fitparse
import pytest
from polars.testing import assert_frame_equal

from stridewise.features.fit import FitDecodeError, read_activity
from stridewise.features.fit.framing import fit_crc
from tests.corpus import CORPUS, manifest
from tests.features.fit import crafted

BROKEN = {
    "elevate/AppleDouble_empty.fit": "not a FIT file: bad header",
    "elevate/empty.fit": "empty file (0 bytes)",
    "fitfile4j/raw_run.fit": "file CRC mismatch",
    "python-fitparse/activity-filecrc.fit": "file CRC mismatch",
    "python-fitparse/activity-activity-filecrc.fit": "file CRC mismatch of chained part 2",
    "python-fitparse/activity-settings-corruptheader.fit": (
        "not a FIT file: bad header of chained part 2"
    ),
    "sports-lib/broken.fit": "file CRC mismatch",
    "python-fitparse/strava-android-app-201.10-b1218918.fit": (
        "data message for undefined local message type at byte 7471"
    ),
    "python-fitparse/nick.fit": "message at byte 403437 runs past the declared end of the data",
    "gpsbabel/lezyne_super_gps-garmin_fit-sample-bad-endian.fit": (
        "message at byte 23389 runs past the declared end of the data"
    ),
}
"""Corpus files that cannot be read, and the reason given (checked by hand with a hex dump)."""

CUT_SHORT = {
    "python-fitparse/activity-settings-nodata.fit": "python-fitparse/activity-settings.fit",
    "python-fitparse/activity-unexpected-eof.fit": "python-fitparse/Activity.fit",
}
"""Cut-short files and the whole files they are byte prefixes of (checked with cmp)."""

corpus = pytest.mark.skipif(not manifest(), reason="../shared/fit_corpus is not here")


@corpus
@pytest.mark.parametrize(("name", "reason"), BROKEN.items(), ids=list(BROKEN))
def test_broken_corpus_file_gives_its_reason(name: str, reason: str) -> None:
    path = CORPUS / name
    with pytest.raises(FitDecodeError) as caught:
        read_activity(path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{path}: {reason}"
    assert "\n" not in str(caught.value)


@corpus
@pytest.mark.parametrize(("name", "whole"), CUT_SHORT.items(), ids=list(CUT_SHORT))
def test_cut_short_file_keeps_the_records_before_the_cut(name: str, whole: str) -> None:
    activity = read_activity(CORPUS / name)
    assert activity.truncated
    records = [
        m for m in fitparse.FitFile(str(CORPUS / whole)).get_messages() if m.name == "record"
    ]
    assert activity.records.height == len(records) == 14
    assert_frame_equal(activity.records, read_activity(CORPUS / whole).records)


@corpus
def test_crc_mismatch_can_be_ignored_and_then_matches_fitparse() -> None:
    path = CORPUS / "fitfile4j/raw_run.fit"
    activity = read_activity(path, check_crc=False)
    reference = read_activity(path, check_crc=False, decoder="fitparse")
    assert activity.is_running and activity.records.height == 303  # MANIFEST n_records
    assert_frame_equal(activity.records, reference.records)


def _with_header(data: bytes, **changes: int) -> bytes:
    """`data` with header fields replaced (size, data_size) and the header CRC recomputed."""
    header = bytearray(data[:14])
    if "size" in changes:
        header[0] = changes["size"]
    if "data_size" in changes:
        header[4:8] = struct.pack("<I", changes["data_size"])
    header[12:14] = struct.pack("<H", fit_crc(bytes(header[:12])))
    return bytes(header) + data[14:]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: b"", "empty file (0 bytes)"),
        (lambda d: b"GPX is not FIT\n" * 4, "not a FIT file: bad header"),
        (lambda d: d[:8] + b".GPX" + d[12:], "not a FIT file: bad header"),
        (lambda d: d[:11], "not a FIT file: file is 11 bytes, shorter than a header"),
        (lambda d: _with_header(d, size=13), "not a FIT file: bad header"),
        (lambda d: _with_header(d, size=200)[:173], "bad header: declares 200 bytes, file has 173"),
        (lambda d: d[:12] + b"\x01\x02" + d[14:], "header CRC mismatch"),
        (lambda d: d[:-1] + bytes([d[-1] ^ 0x01]), "file CRC mismatch"),
        (lambda d: d[:100] + bytes([d[100] ^ 0x10]) + d[101:], "file CRC mismatch"),
        (
            lambda d: _with_header(d[:14] + b"\x05" + d[14:], data_size=len(d) - 15),
            "data message for undefined local message type at byte 14",
        ),
        (
            lambda d: _with_header(d, data_size=16),
            "message at byte 14 runs past the declared end of the data",
        ),
    ],
    ids=[
        "empty",
        "text",
        "not-.FIT",
        "short",
        "header-13",
        "header-200",
        "header-crc",
        "file-crc",
        "flipped-bit",
        "undefined-local",
        "declared-too-small",
    ],
)
def test_generated_bad_input(run_fit: bytes, make, reason: str) -> None:
    with pytest.raises(FitDecodeError) as caught:
        read_activity(make(run_fit))
    assert caught.value.reason == reason


def test_absurd_declared_size_reads_what_is_there(run_fit: bytes) -> None:
    """A header claiming 4 GiB of data: no allocation follows it, the records are all kept."""
    whole = read_activity(run_fit)
    absurd = read_activity(_with_header(run_fit, data_size=0xFFFF_FFFF)[:-2])
    assert absurd.truncated
    assert_frame_equal(absurd.records, whole.records)


def test_every_cut_keeps_exactly_the_records_before_it(run_fit: bytes) -> None:
    """A battery dying at any byte: an error, or a prefix of the whole file's records."""
    whole = read_activity(run_fit).records
    kept_counts = set()
    for cut in range(0, len(run_fit) - 2, 7):
        try:
            activity = read_activity(run_fit[:cut])
        except FitDecodeError as error:
            assert error.reason in {
                "empty file (0 bytes)",
                f"not a FIT file: file is {cut} bytes, shorter than a header",
                "truncated before the first complete data message",
            }
            continue
        assert activity.truncated
        n = activity.records.height
        assert_frame_equal(activity.records.drop("moving"), whole.head(n).drop("moving"))
        kept_counts.add(n)
    assert len(kept_counts) > 50  # the cuts really fell all through the records


def test_oversized_file_is_refused_unread(tmp_path: Path, run_fit: bytes) -> None:
    path = tmp_path / "big.fit"
    path.write_bytes(run_fit)
    with pytest.raises(FitDecodeError, match="over the 1,000-byte limit"):
        read_activity(path, max_bytes=1000)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing.fit", "cannot read: No such file or directory"),
        (".", "is a directory, not a file"),
    ],
)
def test_unreadable_path(tmp_path: Path, target: str, reason: str) -> None:
    with pytest.raises(FitDecodeError) as caught:
        read_activity(tmp_path / target)
    assert caught.value.reason == reason


def test_non_activity_file_is_refused(run_fit: bytes) -> None:
    settings = bytearray(run_fit)
    at = run_fit.index(bytes([0x40, 0, 0, 0, 0])) + 6 + 5 * 3 + 1  # file_id payload: type first
    settings[at] = 2  # FIT file type 2: settings
    body = bytes(settings[:-2])
    with pytest.raises(FitDecodeError, match=r"not an activity file \(FIT file type: settings\)"):
        read_activity(body + struct.pack("<H", fit_crc(body)))


def test_zero_size_message_as_the_last_byte_of_a_cut_file() -> None:
    """Five records of no payload, the file's CRC cut off: the last header is the last byte."""
    activity = read_activity(crafted.one_byte_messages(5)[:-2])
    assert activity.truncated
    assert activity.records.height == 5


def test_definition_longer_than_the_file_and_no_message_of_it() -> None:
    """255 fields of 255 bytes: one message would take 65 kB, the file has 790 bytes."""
    data = crafted.fit_file(crafted.file_id() + crafted.definition(1, 20, [(0, 255, 0x0D)] * 255))
    assert len(data) == 16 + 11 + 6 + 255 * 3
    assert read_activity(data).records.height == 0
