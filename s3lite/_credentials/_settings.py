"""What the chain is resolved from: the environment, the shared config and credentials files, the clock.

The files are parsed as botocore parses them (``botocore.configloader``): ``[profile NAME]`` and
``[default]`` in the config file, ``[NAME]`` in the credentials file, whose keys win over the config
file's for the same profile (``Session.full_config``); ``[sso-session NAME]`` and ``[services NAME]``
sections; a value that starts on the next line (``s3 =`` then indented ``key = value`` lines) is a
nested table. The files are read through :class:`~._effects.ReadFile`, so this module does no I/O.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from ._effects import Fetching, ReadFile

#: a section of a file: its keys, and the nested tables (``s3 = ...``) as their own mappings
Section = Mapping[str, "str | Mapping[str, str]"]


class Settings(NamedTuple):
    """Everything a provider reads: the environment, the profile in use, the parsed files, the clock."""

    env: Mapping[str, str]
    #: the profile in use: ``AWS_DEFAULT_PROFILE``, then ``AWS_PROFILE``, else ``default`` (botocore's order)
    profile: str
    #: every profile of the config file, with the credentials file's keys merged in
    profiles: Mapping[str, Section]
    #: the config file's ``[sso-session NAME]`` sections
    sso_sessions: Mapping[str, Section]
    #: the config file's ``[services NAME]`` sections
    services: Mapping[str, Section]
    #: the client's region (STS is called in it)
    region: str
    #: Unix time now; passed in, the core never reads the clock
    clock: Callable[[], float]
    #: the profiles of each file alone (``shared-credentials-file`` and ``config-file`` read one each)
    credential_profiles: Mapping[str, Section] = MappingProxyType({})
    config_profiles: Mapping[str, Section] = MappingProxyType({})

    def __repr__(self) -> str:
        # the files hold secrets: only what locates them is shown
        return f"Settings(profile={self.profile!r}, region={self.region!r})"

    def value(self, key: str, profile: str | None = None) -> str | None:
        """A plain (not nested) value of ``profile`` (the one in use by default), or None."""
        found = self.profiles.get(self.profile if profile is None else profile, {}).get(key)
        return found if isinstance(found, str) else None

    def setting(self, variable: str, key: str) -> str | None:
        """A setting read as botocore reads most: the environment variable, then the profile's key."""
        return self.env.get(variable) or self.value(key)


def profile_name(env: Mapping[str, str]) -> str:
    return profile_named(env) or "default"


def profile_named(env: Mapping[str, str]) -> str | None:
    """The profile the environment names (``AWS_DEFAULT_PROFILE``, then ``AWS_PROFILE``), if any."""
    return env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or None


def expand_home(path: str, env: Mapping[str, str]) -> str:
    """``~`` at the start of ``path`` as ``os.path.expanduser`` reads it, but from ``env``'s HOME
    (USERPROFILE on Windows), so that a chain resolved for a given environment reads that one's files."""
    if not path.startswith("~"):
        return path
    home = env.get("HOME") or env.get("USERPROFILE")
    if not home:
        return os.path.expanduser(path)
    head, sep, tail = path[1:].partition("/")
    if head:  # ~user: only the system knows where that is
        return os.path.expanduser(path)
    return home.rstrip("/") + "/" + tail if sep else home


def shared_file(env: Mapping[str, str], variable: str, default: str) -> str:
    return expand_home(env.get(variable) or default, env)


def parse_ini(text: bytes) -> dict[str, dict[str, str | dict[str, str]]]:
    """The sections of one file; a file that does not parse is an empty one, as a missing one is
    (the chain goes on, and nothing of a parser's message, which could quote a secret, is shown)."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text.decode("utf-8"))
    except (configparser.Error, UnicodeDecodeError):
        return {}
    return {name: {key: _nested(value) for key, value in parser.items(name)} for name in parser.sections()}


def _nested(value: str) -> str | dict[str, str]:
    """``s3 =`` followed by indented ``key = value`` lines is a table (botocore's ``_parse_nested``)."""
    if not value.startswith("\n"):
        return value
    table: dict[str, str] = {}
    for line in value.splitlines():
        key, sep, nested = line.partition("=")
        if sep:
            table[key.strip()] = nested.strip()
    return table


def _section_name(name: str, prefix: str) -> str | None:
    """``NAME`` of a ``prefix NAME`` section header, or None for another section."""
    head, _, rest = name.partition(" ")
    return rest.strip() if head == prefix and rest.strip() else None


def load_settings(env: Mapping[str, str], region: str, clock: Callable[[], float]) -> Fetching[Settings]:
    """Read both shared files (``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``) and build the settings."""
    config = parse_ini((yield ReadFile(shared_file(env, "AWS_CONFIG_FILE", "~/.aws/config"))) or b"")
    credentials = parse_ini(
        (yield ReadFile(shared_file(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"))) or b""
    )
    profiles: dict[str, dict[str, str | dict[str, str]]] = {}
    sso_sessions: dict[str, Section] = {}
    services: dict[str, Section] = {}
    for name, section in config.items():
        if name == "default":
            profiles["default"] = section
        elif (profile := _section_name(name, "profile")) is not None:
            profiles[profile] = section
        elif (session := _section_name(name, "sso-session")) is not None:
            sso_sessions[session] = section
        elif (service := _section_name(name, "services")) is not None:
            services[service] = section
    config_profiles = dict(profiles)
    for name, section in credentials.items():
        profiles[name] = {**profiles.get(name, {}), **section}
    return Settings(
        env, profile_name(env), profiles, sso_sessions, services, region, clock, credentials, config_profiles
    )
