"""Index folders: a replica killed without cleaning up leaves its folder; the next one removes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from services.search.index import INDEX_DIR_ENV, SearchIndex, remove_abandoned_indexes

ROOT = Path(__file__).resolve().parents[2]
KILLED_REPLICA = (
    "import os, signal\n"
    "from services.search.index import SearchIndex\n"
    "index = SearchIndex()\n"
    "print(index.folder.path, flush=True)\n"
    "os.kill(os.getpid(), signal.SIGKILL)\n"
)


def test_the_folder_of_a_killed_replica_is_removed_and_live_ones_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(INDEX_DIR_ENV, str(tmp_path))
    live = SearchIndex()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REPLICA],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, INDEX_DIR_ENV: str(tmp_path)},
        timeout=60,
    )
    abandoned = killed.stdout.strip()
    assert killed.returncode == -9, killed.stderr
    assert Path(abandoned, "tantivy").is_dir()
    unknown = tmp_path / "search-index-without-lock"  # not made by an index: not ours to judge
    unknown.mkdir()

    assert remove_abandoned_indexes() == [abandoned]

    assert not Path(abandoned).exists()
    assert Path(live.folder.path, "tantivy").is_dir() and unknown.is_dir()
    assert remove_abandoned_indexes() == []


def test_an_index_removes_its_own_folder_when_it_is_dropped(tmp_path, monkeypatch):
    monkeypatch.setenv(INDEX_DIR_ENV, str(tmp_path))
    index = SearchIndex()
    folder = Path(index.folder.path)
    assert folder.is_dir()
    del index
    assert not folder.exists()
