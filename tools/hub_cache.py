"""Hugging Face caches laid out as the Hub clients store them, for offline tests of the Colab path.

`from_pretrained("HuggingFaceTB/SmolVLM-256M-Instruct")` and `load_dataset("HuggingFaceM4/ChartQA")`
resolve Hub ids through these caches under `HF_HUB_OFFLINE=1`, by the libraries' own offline code:
- a model repository as huggingface_hub stores it: `$HF_HOME/hub/models--owner--name/` with
  `refs/main` naming a commit and `snapshots/<commit>/` holding the files;
- a dataset as `datasets` caches a prepared Hub dataset: Arrow files and `dataset_info.json` in
  `$HF_HOME/datasets/owner___snake_name/default/0.0.0/<commit>/`, written by datasets' own Parquet
  builder from Parquet files (what the Hub serves), the way `load_dataset` prepares them online.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import datasets
from datasets.data_files import DataFilesDict
from datasets.packaged_modules.parquet.parquet import Parquet


def commit_of(repo_id: str) -> str:
    """A stable 40-hex commit id for a repository laid out here."""
    return hashlib.sha1(repo_id.encode()).hexdigest()


def lay_out_model(hf_home: str | Path, repo_id: str, folder: str | Path) -> Path:
    """Copy a saved model folder into the Hub cache under `repo_id`; returns the snapshot folder."""
    repo = Path(hf_home) / "hub" / f"models--{repo_id.replace('/', '--')}"
    commit = commit_of(repo_id)
    snapshot = repo / "snapshots" / commit
    shutil.copytree(folder, snapshot, dirs_exist_ok=True)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def lay_out_dataset(hf_home: str | Path, repo_id: str, splits: datasets.DatasetDict) -> Path:
    """Prepare `splits` in the datasets cache as `load_dataset(repo_id)` would; returns its folder."""
    with tempfile.TemporaryDirectory(prefix="hub_dataset_") as scratch:
        files = {}
        for split, data in splits.items():
            path = Path(scratch) / f"{split}-00000-of-00001.parquet"
            data.to_parquet(str(path))
            files[split] = [str(path)]
        builder = Parquet(
            cache_dir=str(Path(hf_home) / "datasets"),
            dataset_name=repo_id.split("/")[-1],
            config_name="default",
            config_id="default",  # as from the Hub: the data files are the config's own, not extra arguments
            data_files=DataFilesDict.from_patterns(files),
            features=next(iter(splits.values())).features,
            hash=commit_of(repo_id),
        )
        builder.repo_id = repo_id  # the namespace folder (`owner___name`); set after the local files' check
        builder._cache_dir = builder._build_cache_dir()
        builder.download_and_prepare()
        return Path(builder.cache_dir)
