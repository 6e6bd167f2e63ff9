"""The CLI's exit codes: 0 ok, 1 API error or rejected key, 2 usage error."""

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
