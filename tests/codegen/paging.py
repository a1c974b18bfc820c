"""Generated ``s3lite/_paging_data.py``: S3's paginators and waiters as plain Python literals.

Read from botocore's ``paginators-1.json`` (with its sdk-extras merged by botocore's loader) and
``waiters-2.json``. The runtime (``s3lite/_paginate.py``, ``s3lite/_wait.py``) has no JMESPath: every
expression is compiled here into data, and an expression (or waiter matcher) outside the small
subset the runtime evaluates is refused with a ``ValueError`` naming it, so a botocore upgrade that
needs more fails loudly here, never quietly at a user's call.

The subset, and why it is enough: S3's paginators use plain member names for their input tokens,
``more_results``, result keys and non-aggregate keys, and for output tokens member names, paths such
as ``Contents[-1].Key`` and the ``||`` alternative (ListObjects' ``NextMarker || Contents[-1].Key``);
S3's waiters use the ``status`` and ``error`` matchers only.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: one step of a path: ``Name``, ``.Name`` or ``[index]`` (a JMESPath identifier, sub-expression or index)
_STEP = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(-?[0-9]+)\]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: the matchers the runtime evaluates (botocore's AcceptorConfig also has path, pathAll and pathAny)
_MATCHERS = ("status", "error")
_STATES = ("success", "failure", "retry")


def _as_list(value: Any) -> list[Any]:
    """botocore's rule for these fields: a single value or a list of them (``Paginator._get_*``)."""
    return list(value) if isinstance(value, list) else [value]


def _identifier(expression: Any, what: str) -> str:
    """A field the runtime reads (and botocore's ``set_value_from_jmespath`` sets) as a plain member name."""
    if not isinstance(expression, str) or not _IDENTIFIER.fullmatch(expression):
        raise ValueError(f"{what} {expression!r} is not a plain member name, which s3lite's paginator requires")
    return expression


def _path(expression: str, what: str) -> tuple[str | int, ...]:
    """``Contents[-1].Key`` -> ``("Contents", -1, "Key")``; anything else JMESPath has is refused."""
    steps: list[str | int] = []
    position = 0
    text = expression.strip()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or (position == 0 and text.startswith(".")) or (position > 0 and match[0][0] not in ".["):
            raise ValueError(f"{what} {expression!r} is outside the JMESPath subset s3lite's paginator evaluates")
        steps.append(match[1] if match[1] is not None else int(match[2]))
        position = match.end()
    if not steps or not isinstance(steps[0], str):
        raise ValueError(f"{what} {expression!r} is outside the JMESPath subset s3lite's paginator evaluates")
    return tuple(steps)


def _alternatives(expression: Any, what: str) -> tuple[tuple[str | int, ...], ...]:
    """``a || b`` -> (path of a, path of b): JMESPath's or-expression, evaluated left to right."""
    if not isinstance(expression, str):
        raise TypeError(f"{what} {expression!r} is not a JMESPath expression")
    return tuple(_path(part, what) for part in expression.split("||"))


def _limit_is_string(service: dict[str, Any], operation: str, limit_key: str | None) -> bool:
    """botocore's ``_extract_paging_params``: PageSize is ``str()``-ed when the limit member is a string."""
    if limit_key is None:
        return False
    input_shape = service["shapes"][service["operations"][operation]["input"]["shape"]]
    return bool(service["shapes"][input_shape["members"][limit_key]["shape"]]["type"] == "string")


def paginators(service: dict[str, Any], pagination: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """boto3 method name -> the paginator's data, sorted by method name."""
    from botocore import xform_name

    table: dict[str, dict[str, Any]] = {}
    for operation, config in pagination["pagination"].items():
        what = f"paginator {operation}:"
        if operation not in service["operations"]:
            raise ValueError(f"{what} no such operation in the service model")
        inputs = tuple(_identifier(token, f"{what} input_token") for token in _as_list(config["input_token"]))
        outputs = tuple(_alternatives(token, f"{what} output_token") for token in _as_list(config["output_token"]))
        if len(inputs) != len(outputs):
            raise ValueError(f"{what} {len(inputs)} input tokens but {len(outputs)} output tokens")
        more = config.get("more_results")
        result_keys = tuple(_identifier(key, f"{what} result_key") for key in _as_list(config.get("result_key")))
        non_aggregate = tuple(
            _identifier(key, f"{what} non_aggregate_keys") for key in config.get("non_aggregate_keys", ())
        )
        if len(set(result_keys)) != len(result_keys):
            raise ValueError(f"{what} a result key is listed twice")
        if set(result_keys) & set(non_aggregate):
            # build_full_result would then merge a non-aggregate dict into an aggregated one (merge_dicts)
            raise ValueError(f"{what} a key is both a result key and a non-aggregate key")
        limit_key = config.get("limit_key")
        table[xform_name(operation)] = {
            "operation": operation,
            "input_token": inputs,
            "output_token": outputs,
            "more_results": None if more is None else _identifier(more, f"{what} more_results"),
            "limit_key": None if limit_key is None else _identifier(limit_key, f"{what} limit_key"),
            "limit_is_string": _limit_is_string(service, operation, limit_key),
            "result_key": result_keys,
            "non_aggregate_keys": non_aggregate,
        }
    return dict(sorted(table.items()))


def waiters(service: dict[str, Any], config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """boto3 waiter name -> the waiter's data, in botocore's order (``WaiterModel.waiter_names``: sorted)."""
    from botocore import xform_name

    if config.get("version") != 2:  # botocore's WaiterModel.SUPPORTED_VERSION
        raise ValueError(f"waiters: version {config.get('version')!r}, s3lite reads version 2")
    table: dict[str, dict[str, Any]] = {}
    for name in sorted(config["waiters"]):
        waiter = config["waiters"][name]
        if waiter["operation"] not in service["operations"]:
            raise ValueError(f"waiter {name}: no such operation {waiter['operation']!r}")
        acceptors = []
        for acceptor in waiter["acceptors"]:
            if acceptor["matcher"] not in _MATCHERS:
                raise ValueError(
                    f"waiter {name}: matcher {acceptor['matcher']!r} is not implemented by s3lite (only {_MATCHERS})"
                )
            if acceptor["state"] not in _STATES:
                raise ValueError(f"waiter {name}: unknown acceptor state {acceptor['state']!r}")
            acceptors.append((acceptor["state"], acceptor["matcher"], acceptor["expected"]))
        if not acceptors:
            raise ValueError(f"waiter {name}: no acceptors")
        table[xform_name(name)] = {
            "name": name,
            "operation": waiter["operation"],
            "delay": waiter["delay"],
            "max_attempts": waiter["maxAttempts"],
            "acceptors": tuple(acceptors),
        }
    return table


# -- writing: ruff-format-stable literals (double quotes, magic trailing commas), <= 120 columns ----


def _literal(value: Any, indent: int, prefix: int = 0) -> str:
    """``value`` as Python source at ``indent`` after ``prefix`` characters of its line: a tuple that fits
    stays on one line, dicts are one key a line (what ``ruff format`` keeps, with its magic trailing comma)."""
    pad = "    " * indent
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            head = f"{pad}    {_flat(key)}: "
            items.append(f"{head}{_literal(item, indent + 1, len(head))},")
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, tuple) and max(prefix, len(pad)) + len(_flat(value)) + 1 > 120:
        return "(\n" + "".join(f"{pad}    {_literal(item, indent + 1, len(pad) + 4)},\n" for item in value) + f"{pad})"
    return _flat(value)


def _flat(value: Any) -> str:
    if isinstance(value, tuple):
        inner = ", ".join(_flat(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, str):
        return json.dumps(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise ValueError(f"no literal for {value!r}")


_HEADER = '''\
"""S3's paginators and waiters as data (botocore's ``paginators-1.json`` with its sdk-extras, ``waiters-2.json``).

Generated by ``python -m tests.codegen`` (``tests/codegen/paging.py``): do not edit.
"""

from __future__ import annotations

from typing import Any

#: boto3 method name -> paginator. ``output_token``: per input token, the JMESPath alternatives (``a || b``),
#: each a path of member names and list indexes (``("Contents", -1, "Key")`` is ``Contents[-1].Key``);
#: ``limit_is_string``: PageSize is sent as a string (botocore's ``_extract_paging_params``).
PAGINATORS: dict[str, dict[str, Any]] = '''

_WAITERS = """

#: boto3 waiter name -> waiter; an acceptor is (state, matcher, expected).
WAITERS: dict[str, dict[str, Any]] = """


def outputs(model: Any) -> dict[str, str]:
    text = (
        _HEADER
        + _literal(paginators(model.service, model.paginators), 0)
        + _WAITERS
        + _literal(waiters(model.service, model.waiters), 0)
        + "\n"
    )
    return {"s3lite/_paging_data.py": text}
