"""Credentials, and where the clients find them when none are given.

The secret key and session token never appear in a repr: a ``Credentials`` printed in a log or a
traceback shows the access key id only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import configparser

from .._errors import NoCredentialsError, ParamValidationError
from . import Credentials


_REGION_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _shared_file(env: Mapping[str, str], variable: str, default: str) -> configparser.ConfigParser:
    # Imported here: only a client built without credentials reads the shared files.
    import configparser
    from pathlib import Path

    parser = configparser.ConfigParser(interpolation=None)
    path = Path(env.get(variable) or default).expanduser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        # A broken or unreadable file is treated like a missing one: the chain goes on, and the
        # caller gets NoCredentialsError rather than a parser's traceback (which could quote a secret).
        return configparser.ConfigParser(interpolation=None)
    return parser


def _profile_section(parser: configparser.ConfigParser, profile: str, *, config_file: bool) -> dict[str, str]:
    # ~/.aws/config names non-default profiles "profile NAME"; ~/.aws/credentials names them "NAME".
    names = [f"profile {profile}", profile] if config_file and profile != "default" else [profile]
    for name in names:
        if parser.has_section(name):
            return dict(parser.items(name))
    return {}


def resolve_credentials(
    *,
    access_key: str | None,
    secret_key: str | None,
    token: str | None,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """Arguments, then ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``, then the
    shared credentials and config files (``AWS_PROFILE``), as boto3 users expect."""
    if access_key is not None or secret_key is not None:
        for name, value in (("aws_access_key_id", access_key), ("aws_secret_access_key", secret_key)):
            if value is not None and not isinstance(value, str):
                raise ParamValidationError(f"Invalid type for {name}: {type(value).__name__}, valid types: str")
        if token is not None and not isinstance(token, str):
            raise ParamValidationError(f"Invalid type for aws_session_token: {type(token).__name__}, valid types: str")
        if not access_key or not secret_key:
            raise NoCredentialsError()
        return Credentials(access_key, secret_key, token)
    env = os.environ if env is None else env
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN") or None)
    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    for variable, default, is_config in (
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", False),
        ("AWS_CONFIG_FILE", "~/.aws/config", True),
    ):
        section = _profile_section(_shared_file(env, variable, default), profile, config_file=is_config)
        if section.get("aws_access_key_id") and section.get("aws_secret_access_key"):
            return Credentials(
                section["aws_access_key_id"], section["aws_secret_access_key"], section.get("aws_session_token") or None
            )
    raise NoCredentialsError()


def resolve_region(region_name: str | None, env: Mapping[str, str] | None = None) -> str:
    """The argument, then ``AWS_REGION``/``AWS_DEFAULT_REGION``, then the config file; us-east-1 last.

    It is signed into every request's scope, so it must look like a region: letters, digits, ``-``,
    ``_`` and ``.`` (S3-compatible servers name theirs freely: ``garage``, ``default``)."""
    region = _find_region(region_name, env)
    if not isinstance(region, str) or not _REGION_NAME.fullmatch(region):
        raise ParamValidationError("Invalid region_name: expected 1-64 letters, digits, '-', '_' or '.'")
    return region


def _find_region(region_name: str | None, env: Mapping[str, str] | None) -> str:
    if region_name:
        return region_name
    env = os.environ if env is None else env
    found = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if found:
        return found
    profile = env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    section = _profile_section(_shared_file(env, "AWS_CONFIG_FILE", "~/.aws/config"), profile, config_file=True)
    return section.get("region") or "us-east-1"
