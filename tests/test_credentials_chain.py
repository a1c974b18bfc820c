"""The chain's order and its file-and-process links, each scenario in a clean environment and HOME,
held to what botocore resolves in the same environment (differential, as for requests).

The links that fetch over the network have their own modules: test_credentials_imds.py,
test_credentials_container.py, test_credentials_sts.py (assume-role, web identity against moto's
STS), test_credentials_sso.py.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import s3lite
from s3lite._credentials import Credentials
from s3lite._credentials._chain import Chain
from s3lite._credentials._perform import drive
from s3lite._http import HttpRequest, HttpResponse

NOW = 1_800_000_000.0


def _no_network(request: HttpRequest, timeout: float) -> HttpResponse:
    raise AssertionError(f"unexpected request to {request.host}")


class Home:
    """A clean HOME with its ~/.aws files, and the environment of one scenario."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / ".aws").mkdir()
        self.env: dict[str, str] = {"HOME": str(root), "AWS_EC2_METADATA_DISABLED": "true", "PATH": os.environ["PATH"]}

    def config(self, text: str) -> None:
        (self.root / ".aws" / "config").write_text(text)

    def credentials(self, text: str) -> None:
        (self.root / ".aws" / "credentials").write_text(text)

    def ours(self) -> Credentials | None:
        return drive(Chain(dict(self.env), "us-east-1", lambda: NOW).fetch(), _no_network)

    def botocore(self) -> Any:
        import botocore.session

        with mock.patch.dict(os.environ, self.env, clear=True):
            found = botocore.session.Session().get_credentials()
            return None if found is None else (found.get_frozen_credentials(), found.method)

    def ours_with_method(self) -> tuple[Credentials, str] | None:
        chain = Chain(dict(self.env), "us-east-1", lambda: NOW)
        found = drive(chain.fetch(), _no_network)
        return None if found is None else (found, chain.found.method if chain.found else "?")

    def same_as_botocore(self) -> Credentials | None:
        theirs = self.botocore()
        ours = self.ours_with_method()
        if theirs is None:
            assert ours is None
            return None
        frozen, method = theirs
        assert ours is not None
        credentials, our_method = ours
        assert (credentials.access_key, credentials.secret_key, credentials.token) == (
            frozen.access_key,
            frozen.secret_key,
            frozen.token,
        )
        assert our_method == method
        return credentials


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    yield Home(tmp_path)


def test_environment_first(home: Home) -> None:
    home.env.update(AWS_ACCESS_KEY_ID="EA", AWS_SECRET_ACCESS_KEY="ES", AWS_SESSION_TOKEN="ET")
    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    assert home.same_as_botocore() == Credentials("EA", "ES", "ET")


def test_environment_security_token_comes_before_session_token(home: Home) -> None:
    home.env.update(
        AWS_ACCESS_KEY_ID="EA", AWS_SECRET_ACCESS_KEY="ES", AWS_SECURITY_TOKEN="OLD", AWS_SESSION_TOKEN="NEW"
    )
    assert home.same_as_botocore() == Credentials("EA", "ES", "OLD")


def test_environment_expiration_makes_them_temporary(home: Home) -> None:
    home.env.update(
        AWS_ACCESS_KEY_ID="EA", AWS_SECRET_ACCESS_KEY="ES", AWS_CREDENTIAL_EXPIRATION="2027-01-15T08:00:00Z"
    )
    found = home.same_as_botocore()
    assert found is not None and found.expires_at is not None
    from datetime import UTC, datetime

    assert found.expires_at == datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp()


def test_an_empty_expiration_is_no_expiration(home: Home) -> None:
    home.env.update(AWS_ACCESS_KEY_ID="EA", AWS_SECRET_ACCESS_KEY="ES", AWS_CREDENTIAL_EXPIRATION="")
    found = home.same_as_botocore()
    assert found is not None and found.expires_at is None


def test_a_key_id_without_its_secret_is_an_error_as_in_botocore(home: Home) -> None:
    import botocore.exceptions

    home.env["AWS_ACCESS_KEY_ID"] = "EA"
    with pytest.raises(botocore.exceptions.PartialCredentialsError):
        home.botocore()
    with pytest.raises(s3lite.CredentialRetrievalError, match="missing: AWS_SECRET_ACCESS_KEY"):
        home.ours()


def test_credentials_file_comes_before_config_file_and_its_keys_win(home: Home) -> None:
    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    home.config("[default]\naws_access_key_id = CA\naws_secret_access_key = CS\n")
    assert home.same_as_botocore() == Credentials("FA", "FS")


def test_config_file_profiles(home: Home) -> None:
    home.config(
        "[profile work]\naws_access_key_id = WA\naws_secret_access_key = WS\naws_session_token = WT\n"
        "[default]\naws_access_key_id = DA\naws_secret_access_key = DS\n"
    )
    assert home.same_as_botocore() == Credentials("DA", "DS")
    home.env["AWS_PROFILE"] = "work"
    assert home.same_as_botocore() == Credentials("WA", "WS", "WT")
    # botocore reads AWS_DEFAULT_PROFILE before AWS_PROFILE
    home.env["AWS_DEFAULT_PROFILE"] = "default"
    assert home.same_as_botocore() == Credentials("DA", "DS")


def test_files_named_by_the_environment(home: Home, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "c").write_text("[default]\naws_access_key_id = XA\naws_secret_access_key = XS\n")
    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    home.env["AWS_SHARED_CREDENTIALS_FILE"] = str(elsewhere / "c")
    assert home.same_as_botocore() == Credentials("XA", "XS")


def test_nothing_anywhere(home: Home) -> None:
    assert home.same_as_botocore() is None


def test_a_profile_named_and_missing_is_an_error_as_in_botocore(home: Home) -> None:
    import botocore.exceptions

    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    home.env["AWS_PROFILE"] = "nobody"
    with pytest.raises(s3lite.CredentialRetrievalError, match=r"The config profile \(nobody\) could not be found"):
        home.ours()
    with pytest.raises(botocore.exceptions.ProfileNotFound):
        home.botocore()
    # the default profile missing is no error: the chain goes on (and here finds nothing)
    home.credentials("")
    del home.env["AWS_PROFILE"]
    assert home.same_as_botocore() is None


# -- credential_process ---------------------------------------------------------------------------


def _program(home: Home, printed: object, *, status: int = 0, stderr: str = "") -> str:
    """A credential_process command: a Python script that prints ``printed`` (JSON) and exits."""
    script = home.root / f"process-{abs(hash(json.dumps(printed, default=str))) % 10**8}-{status}.py"
    script.write_text(
        "import json, sys\n"
        f"sys.stderr.write({stderr!r})\n"
        f"print(json.dumps({printed!r}) if not isinstance({printed!r}, str) else {printed!r})\n"
        f"sys.exit({status})\n"
    )
    return f'"{sys.executable}" "{script}"'


def test_credential_process(home: Home) -> None:
    printed = {"Version": 1, "AccessKeyId": "PA", "SecretAccessKey": "PS", "SessionToken": "PT"}
    home.config(f"[default]\ncredential_process = {_program(home, printed)}\n")
    assert home.same_as_botocore() == Credentials("PA", "PS", "PT")


def test_credential_process_with_expiration_is_temporary(home: Home) -> None:
    printed = {"Version": 1, "AccessKeyId": "PA", "SecretAccessKey": "PS", "Expiration": "2027-01-15T08:00:00Z"}
    home.config(f"[default]\ncredential_process = {_program(home, printed)}\n")
    found = home.same_as_botocore()
    assert found is not None and found.expires_at is not None


def test_credential_process_comes_after_the_credentials_file_and_before_the_config_files_keys(home: Home) -> None:
    printed = {"Version": 1, "AccessKeyId": "PA", "SecretAccessKey": "PS"}
    home.config(
        f"[default]\ncredential_process = {_program(home, printed)}\naws_access_key_id = CA\naws_secret_access_key = CS\n"
    )
    assert home.same_as_botocore() == Credentials("PA", "PS")
    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    assert home.same_as_botocore() == Credentials("FA", "FS")


@pytest.mark.parametrize(
    ("printed", "status", "message"),
    [
        ({"Version": 2, "AccessKeyId": "PA", "SecretAccessKey": "PS"}, 0, "Unsupported version '2'"),
        ({"AccessKeyId": "PA", "SecretAccessKey": "PS"}, 0, "Unsupported version '<Version key not provided>'"),
        ({"Version": 1, "SecretAccessKey": "SECRET-NOT-SHOWN"}, 0, "Missing required key in response: 'AccessKeyId'"),
        ("not json SECRET-NOT-SHOWN", 0, "did not print a JSON object"),
        (
            {"Version": 1, "AccessKeyId": "PA", "SecretAccessKey": "SECRET-NOT-SHOWN"},
            3,
            "exited with status 3: login first",
        ),
    ],
)
def test_credential_process_failures(home: Home, printed: object, status: int, message: str) -> None:
    import botocore.exceptions

    home.config(f"[default]\ncredential_process = {_program(home, printed, status=status, stderr='login first')}\n")
    with pytest.raises(s3lite.CredentialRetrievalError) as ours:
        home.ours()
    assert message in str(ours.value)
    assert "SECRET-NOT-SHOWN" not in str(ours.value)
    assert ours.value.provider == "custom-process"
    if not isinstance(printed, str):  # botocore lets the JSON decoder's error out
        with pytest.raises(botocore.exceptions.CredentialRetrievalError):
            home.botocore()


def test_credential_process_that_cannot_start(home: Home) -> None:
    home.config("[default]\ncredential_process = /nonexistent/program --flag\n")
    with pytest.raises(s3lite.CredentialRetrievalError, match="could not be started"):
        home.ours()


# -- assume-role configuration errors (the STS calls themselves: test_credentials_sts.py) ----------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = a\ncredential_source = Environment\n",
            "contains both source_profile and credential_source",
        ),
        ("[default]\nrole_arn = arn:aws:iam::123456789012:role/r\n", "missing: source_profile or credential_source"),
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = ghost\n",
            'The source_profile "ghost" referenced in the profile "default" does not exist.',
        ),
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Mars\n",
            'The credential source "Mars" referenced in profile "default" is not valid.',
        ),
        (
            (
                "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = b\n"
                "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = default\n"
            ),
            "Infinite loop in profile configuration",
        ),
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n",
            "Infinite loop in profile configuration",
        ),
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = b\n[profile b]\nregion = x\n",
            'The source profile "b" must have credentials.',
        ),
        (
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n",
            "No credentials found in credential_source referenced in profile default",
        ),
        (
            (
                "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\nmfa_serial = arn:aws:iam::1:mfa/me\n"
                "credential_source = Environment\n"
            ),
            "cannot prompt for an MFA code",
        ),
    ],
)
def test_assume_role_configuration_errors(home: Home, config: str, message: str) -> None:
    import botocore.exceptions

    home.config(config)
    with pytest.raises(s3lite.CredentialRetrievalError) as ours:
        home.ours()
    assert message in str(ours.value)
    if "MFA" not in message:  # botocore would prompt for the code
        with pytest.raises(botocore.exceptions.BotoCoreError):
            home.botocore()


def test_web_identity_without_a_role_is_an_error(home: Home) -> None:
    home.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(home.root / "token")
    with pytest.raises(s3lite.CredentialRetrievalError, match="has no role ARN configured"):
        home.ours()


# -- the client's side ----------------------------------------------------------------------------


def test_no_credentials_names_where_it_looked_and_is_not_looked_up_again(home: Home) -> None:
    with mock.patch.dict(os.environ, home.env, clear=True):
        client = s3lite.Client(region_name="us-east-1")
        with pytest.raises(s3lite.NoCredentialsError) as caught:
            client.head_object(Bucket="b", Key="k")
        assert "looked in: env, assume-role, assume-role-with-web-identity, sso" in str(caught.value)
        assert caught.value.tried[-1] == "iam-role"
        # keys appearing later are not seen by this client: it looked once, as a botocore client does
        home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
        with pytest.raises(s3lite.NoCredentialsError):
            client.get_credentials()
        assert s3lite.Client(region_name="us-east-1").get_credentials() == Credentials("FA", "FS")


def test_building_a_client_reads_no_credential_file(home: Home) -> None:
    home.credentials("[default]\naws_access_key_id = FA\naws_secret_access_key = FS\n")
    opened: list[str] = []
    real_open = open

    def recording_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    with mock.patch.dict(os.environ, home.env, clear=True), mock.patch("builtins.open", recording_open):
        client = s3lite.Client(region_name="us-east-1", endpoint_url="http://127.0.0.1:9")
        assert not any(".aws" in path for path in opened)
        assert client.get_credentials() == Credentials("FA", "FS")
        assert any(path.endswith("credentials") for path in opened)


def test_keys_given_are_never_looked_up(home: Home) -> None:
    home.env.update(AWS_ACCESS_KEY_ID="EA", AWS_SECRET_ACCESS_KEY="ES")
    with mock.patch.dict(os.environ, home.env, clear=True):
        client = s3lite.Client(region_name="us-east-1", aws_access_key_id="GA", aws_secret_access_key="GS")
        assert client.get_credentials() == Credentials("GA", "GS")
        # one of the pair given: nothing is looked up (keys given are not mixed with found ones)
        half = s3lite.Client(region_name="us-east-1", aws_access_key_id="GA")
        with pytest.raises(s3lite.NoCredentialsError):
            half.get_credentials()


def test_credentials_provider_and_keys_together_are_refused() -> None:
    with pytest.raises(s3lite.ParamValidationError, match="either"):
        s3lite.Client(
            aws_access_key_id="A", aws_secret_access_key="S", credentials_provider=lambda: Credentials("a", "s")
        )
    with pytest.raises(s3lite.ParamValidationError, match="callable"):
        s3lite.Client(credentials_provider="not a function")  # type: ignore[arg-type]


def test_a_provider_returning_something_else_is_a_clear_error() -> None:
    client = s3lite.Client(region_name="us-east-1", credentials_provider=lambda: ("A", "S"))  # type: ignore[arg-type,return-value]
    with pytest.raises(s3lite.CredentialRetrievalError, match="returned tuple, not s3lite.Credentials"):
        client.get_credentials()


def test_no_secret_in_any_repr(home: Home) -> None:
    home.credentials(
        "[default]\naws_access_key_id = FA\naws_secret_access_key = SECRET-IN-FILE\naws_session_token = TOKEN-IN-FILE\n"
    )
    with mock.patch.dict(os.environ, home.env, clear=True):
        client = s3lite.Client(region_name="us-east-1")
        credentials = client.get_credentials()
        chain = client._held.provider
        shown = " ".join(repr(x) for x in (client, credentials, chain, client._held, client._context))
    assert "FA" in repr(credentials)
    assert "SECRET-IN-FILE" not in shown and "TOKEN-IN-FILE" not in shown


def test_keys_in_the_environment_load_none_of_the_other_links() -> None:
    """Lambda's case: the chain stops at its first link, and STS, SSO, the metadata services and
    credential_process are never imported (a cold start pays for none of them)."""
    import subprocess
    import textwrap

    script = textwrap.dedent(
        """
        import sys, s3lite
        client = s3lite.Client(region_name="us-east-1")
        assert client.get_credentials().access_key == "EA"
        loaded = sorted(m for m in sys.modules if m.startswith("s3lite._credentials."))
        for heavy in ("_sts", "_sso", "_imds", "_container", "_assume", "_process", "_service", "_metadata"):
            assert f"s3lite._credentials.{heavy}" not in loaded, loaded
        """
    )
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "EA", "AWS_SECRET_ACCESS_KEY": "ES"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=Path(__file__).parent.parent)
