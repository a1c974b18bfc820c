"""botocore's credential chain, in its order, as one provider that remembers which link found the keys.

1. ``env``: ``AWS_ACCESS_KEY_ID`` ... (looked at before any file is read)
2. ``assume-role``: the profile's ``role_arn``, from ``source_profile`` or ``credential_source``
3. ``assume-role-with-web-identity``: ``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN``, or the profile's
4. ``sso``: the profile's ``sso_session`` (or legacy ``sso_start_url``), from the SSO token cache
5. ``shared-credentials-file``: the profile's keys in ``~/.aws/credentials``
6. ``custom-process``: the profile's ``credential_process``
7. ``config-file``: the profile's keys in ``~/.aws/config``
8. ``container-role``: ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` / ``_FULL_URI`` (ECS, EKS Pod Identity)
9. ``iam-role``: the EC2 instance metadata service (IMDSv2)

(botocore's ``create_credential_resolver``; its boto2-era ``ec2-credentials-file`` and
``boto-config`` links and the ``login`` provider are left out.) A link whose settings are there
either produces credentials or raises: the chain stops at the first one that applies, as botocore's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from .._errors import CredentialRetrievalError
from . import Credentials
from ._effects import Fetching, Provider
from ._settings import Settings, load_settings, profile_named
from ._static import Environment, ProfileKeys, from_environment

if TYPE_CHECKING:
    from ._assume import AssumeRole

#: what NoCredentialsError lists when the whole chain found nothing
CHAIN_METHODS = (
    "env",
    "assume-role",
    "assume-role-with-web-identity",
    "sso",
    "shared-credentials-file",
    "custom-process",
    "config-file",
    "container-role",
    "iam-role",
)


def _first_found(links: Iterable[Provider]) -> Fetching[tuple[Provider, Credentials] | None]:
    for link in links:
        found = yield from link.fetch()
        if found is not None:
            return link, found
    return None


def profile_links(settings: Settings, profile: str, *, env_vars: bool) -> Iterator[Provider]:
    """The links that read ``profile`` (botocore's ``ProfileProviderBuilder.providers``), each built
    only when reached, so that a configuration error is raised in the chain's order. ``settings``
    stay those of the profile in use: botocore's nested STS client is configured (endpoint, retries)
    by the session's profile, whichever profile a role comes from."""
    from . import _sso
    from ._assume import web_identity
    from ._process import Process

    if (identity := web_identity(settings, profile, env_vars=env_vars)) is not None:
        yield identity
    # (SSO's portal is configured by the source profile itself here: the one difference left)
    if (sso := _sso.provider(settings._replace(profile=profile))) is not None:
        yield sso
    if (section := settings.credential_profiles.get(profile)) is not None:
        yield ProfileKeys(section, "shared-credentials-file")
    if command := settings.value("credential_process", profile):
        yield Process(command)
    if (section := settings.config_profiles.get(profile)) is not None:
        yield ProfileKeys(section, "config-file")


class FirstOf:
    """The first of some links that finds credentials, fetched from that one link ever after."""

    def __init__(self, method: str, links: Callable[[], Iterator[Provider]], missing: str) -> None:
        self.method = method
        self._links = links
        self._missing = missing
        self._found: Provider | None = None

    def __repr__(self) -> str:
        return f"FirstOf({self._found!r})"

    def fetch(self) -> Fetching[Credentials | None]:
        if self._found is not None:
            return (yield from self._found.fetch())
        found = yield from _first_found(self._links())
        if found is None:
            raise CredentialRetrievalError(self.method, self._missing)
        self._found, credentials = found
        return credentials


def _credential_source(settings: Settings, profile: str, name: str) -> Provider | None:
    """``credential_source``: one of three named providers (botocore's ``CanonicalNameCredentialSourcer``)."""
    from . import _container, _imds
    from ._assume import ASSUME_ROLE

    if name == "Environment":
        return Environment(settings.env)
    if name == "Ec2InstanceMetadata":
        return _imds.provider(settings)
    if name == "EcsContainer":
        return _container.provider(settings)
    raise CredentialRetrievalError(
        ASSUME_ROLE, f'The credential source "{name}" referenced in profile "{profile}" is not valid.'
    )


def role_provider(settings: Settings, profile: str, visited: tuple[str, ...]) -> AssumeRole:
    """The assume-role provider of ``profile`` (the one in use, or a source profile's role), with
    its source: botocore's ``_get_role_config``, ``_validate_source_profile`` and
    ``_resolve_source_credentials``. The STS calls are made with ``settings``, the profile in use's."""
    from ._assume import ASSUME_ROLE, AssumeRole, assumes_role, role_params

    source_profile = settings.value("source_profile", profile)
    credential_source = settings.value("credential_source", profile)
    if source_profile is not None and credential_source is not None:
        raise CredentialRetrievalError(
            ASSUME_ROLE, f'The profile "{profile}" contains both source_profile and credential_source.'
        )
    params = role_params(settings, profile)
    if credential_source is not None:
        named = _credential_source(settings, profile, credential_source)
        return AssumeRole(settings, profile, named, credential_source, params)
    if source_profile is None:
        raise CredentialRetrievalError(
            ASSUME_ROLE, "Partial credentials found in assume-role, missing: source_profile or credential_source"
        )
    if source_profile not in settings.profiles:
        raise CredentialRetrievalError(
            ASSUME_ROLE,
            f'The source_profile "{source_profile}" referenced in the profile "{profile}" does not exist.',
        )
    section = settings.profiles[source_profile]
    if source_profile in visited and not (source_profile == profile and _has_static_keys(section)):
        # a profile may name itself, to take its own static keys; any other return is a loop
        chain = " -> ".join((*visited, source_profile))
        raise CredentialRetrievalError(ASSUME_ROLE, f"Infinite loop in profile configuration: {chain}")
    if _has_static_keys(section) or not assumes_role(section):
        source: Provider = FirstOf(
            ASSUME_ROLE,
            lambda: profile_links(settings, source_profile, env_vars=False),
            f'The source profile "{source_profile}" must have credentials.',
        )
    else:
        source = role_provider(settings, source_profile, (*visited, source_profile))
    return AssumeRole(settings, profile, source, source_profile, params)


def _has_static_keys(section: Mapping[str, object]) -> bool:
    return "aws_access_key_id" in section or "aws_secret_access_key" in section


class Chain:
    """The whole chain as one provider: the environment and files are read at the first fetch."""

    method = "chain"

    def __init__(self, env: Mapping[str, str], region: str, clock: Callable[[], float]) -> None:
        self._env = env
        self._region = region
        self._clock = clock
        self._found: Provider | None = None
        #: the links looked at when nothing was found
        self.tried: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Chain(found={self._found!r})"

    @staticmethod
    def prepare() -> None:
        """Import the links' modules ahead of the first fetch: ``AsyncClient`` does it in a worker
        thread, so that their import (~25 ms) does not hold its event loop."""
        from . import _assume, _container, _imds, _process, _sso  # noqa: F401

    @property
    def found(self) -> Provider | None:
        """The link that found the credentials (None before, or when none did)."""
        return self._found

    def fetch(self) -> Fetching[Credentials | None]:
        if self._found is not None:
            return (yield from self._found.fetch())
        credentials = from_environment(self._env)
        if credentials is not None:
            self._found = Environment(self._env)
            return credentials
        settings = yield from load_settings(self._env, self._region, self._clock)
        if settings.profile not in settings.profiles and profile_named(self._env):
            # botocore's ProfileNotFound: a profile asked for by name and missing is a mistake to
            # say, not a reason to go on to the container or instance role
            raise CredentialRetrievalError("profile", f"The config profile ({settings.profile}) could not be found")
        found = yield from _first_found(self._links(settings))
        if found is None:
            self.tried = CHAIN_METHODS
            return None
        self._found, credentials = found
        return credentials

    def _links(self, settings: Settings) -> Iterator[Provider]:
        # the links' modules are imported here, when the environment had no keys: a client whose keys
        # are there (Lambda) never loads STS, SSO or the metadata services
        from . import _container, _imds
        from ._assume import assumes_role

        if assumes_role(settings.profiles.get(settings.profile, {})):
            yield role_provider(settings, settings.profile, (settings.profile,))
        yield from profile_links(settings, settings.profile, env_vars=True)
        if (container := _container.provider(settings)) is not None:
            yield container
        if (imds := _imds.provider(settings)) is not None:
            yield imds
