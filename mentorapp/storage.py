"""The one interface to stored files: a folder on local disk, or an S3 bucket.

`FILE_STORAGE=local` (the default) keeps files under `FILE_STORAGE_PATH`, or
`instance/files` when that is empty; `FILE_STORAGE=s3` keeps them in `S3_BUCKET`
(`S3_ENDPOINT_URL` for an S3-compatible service, `S3_PREFIX` to share a bucket), with
credentials and region found the way boto3 finds them (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, an instance role...).

Keys are made by the code, never taken from a request: `files.put(key, ...)` refuses a
key that is not a plain relative name. A storage that is away raises `StorageUnavailable`
quickly (S3: 2 s to connect, 5 s to read), so a feature can say so and the rest of the
site carries on.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from mentorapp.config import ConfigError

__all__ = [
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageUnavailable",
    "StoredFile",
    "files",
    "init_app",
]

# Lower-case letters, digits, '.', '_', '-' in '/'-separated parts; no part starts with '.'.
_KEY = re.compile(r"^(?:[a-z0-9_-][a-z0-9._-]*/)*[a-z0-9_-][a-z0-9._-]*$")


class StorageUnavailable(RuntimeError):
    """The storage did not answer (disk full, S3 down or refusing)."""


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""

    def get(self, key: str) -> StoredFile | None:
        """The file under `key`, or None when there is none."""

    def delete(self, keys: list[str]) -> None:
        """Remove these files; a key with no file is not an error."""

    def files_under(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Every file whose key starts with `prefix`, with when it was written (UTC)."""


def checked_key(key: str) -> str:
    if len(key) > 512 or not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files in a folder; each file's type is kept beside it in `<name>.type`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader never sees half a file.
            for target, content in (
                (path.with_name(path.name + ".type"), content_type.encode()),
                (path, data),
            ):
                fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
                os.replace(temporary, target)
        except OSError as error:
            raise StorageUnavailable(str(error)) from error

    def get(self, key: str) -> StoredFile | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
            content_type = path.with_name(path.name + ".type").read_text()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StorageUnavailable(str(error)) from error
        return StoredFile(data, content_type)

    def delete(self, keys: list[str]) -> None:
        folders = set()
        for key in keys:
            path = self._path(key)
            for target in (path, path.with_name(path.name + ".type")):
                try:
                    target.unlink(missing_ok=True)
                except OSError as error:
                    raise StorageUnavailable(str(error)) from error
            folders.add(path.parent)
        for folder in folders:  # the folder a set of files shared, when it is empty now
            with contextlib.suppress(OSError):
                folder.rmdir()

    def files_under(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        try:
            for path in sorted(self.root.rglob("*")):
                key = path.relative_to(self.root).as_posix()
                wanted = _KEY.match(key) and key.startswith(prefix) and not key.endswith(".type")
                if wanted and path.is_file():
                    yield key, datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError as error:
            raise StorageUnavailable(str(error)) from error


class S3Storage:
    """Objects in an S3 bucket (or an S3-compatible service at `endpoint_url`)."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            config=Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(str(error)) from error

    def get(self, key: str) -> StoredFile | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
            data = answer["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error
        return StoredFile(data, answer.get("ContentType") or "application/octet-stream")

    def delete(self, keys: list[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        names = [self._name(key) for key in keys]
        try:
            for start in range(0, len(names), 1000):  # S3 takes 1,000 keys a call
                answer = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": n} for n in names[start : start + 1000]]},
                )
                if answer.get("Errors"):
                    raise StorageUnavailable(f"S3 kept {len(answer['Errors'])} file(s)")
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(str(error)) from error

    def files_under(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        from botocore.exceptions import BotoCoreError, ClientError

        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :], item["LastModified"]
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(str(error)) from error


def new_name() -> str:
    """A random name for a new file or set of files (128 bits, lower-case)."""
    return secrets.token_hex(16)


def build_storage(app: Flask) -> Storage:
    kind = (app.config.get("FILE_STORAGE") or "local").strip().lower()
    if kind == "local":
        root = app.config.get("FILE_STORAGE_PATH") or str(Path(app.instance_path) / "files")
        return LocalStorage(root)
    if kind == "s3":
        bucket = app.config.get("S3_BUCKET") or ""
        if not bucket:
            raise ConfigError("FILE_STORAGE=s3 needs S3_BUCKET.")
        return S3Storage(
            bucket,
            prefix=app.config.get("S3_PREFIX") or "",
            endpoint_url=app.config.get("S3_ENDPOINT_URL") or None,
        )
    raise ConfigError(f"FILE_STORAGE must be 'local' or 's3', not {kind!r}.")


def init_app(app: Flask) -> None:
    app.extensions["mentorapp_storage"] = build_storage(app)


def files() -> Storage:
    """The current app's storage."""
    return current_app.extensions["mentorapp_storage"]
