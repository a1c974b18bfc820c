"""Coverage-guided fuzzing of s3lite's I/O-free core (atheris), with a hypothesis fallback: see README.md."""
