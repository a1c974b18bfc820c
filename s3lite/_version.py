"""s3lite's version, written here and nowhere else (issue 13, item 14).

hatchling reads it for the distribution's metadata (``[tool.hatch.version]`` in pyproject.toml),
``s3lite.__version__`` and the ``User-Agent`` header import it.
"""

__version__ = "0.1.0"
