"""Helpers that keep the published contract complete: every error a route can answer is documented."""

from litestar.openapi.datastructures import ResponseSpec

from confab.schemas import ErrorBody

_ERROR_MEANINGS = {
    400: "The request is malformed or fails validation; `detail` names the field.",
    401: "No bearer token, or it is invalid, expired or revoked.",
    403: "The caller may not do this.",
    404: "No such resource.",
    409: "Conflicts with existing data.",
    413: "The request body is larger than the configured limit.",
    422: "The request is well-formed but cannot be processed.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "A dependency (the database) is not available.",
}


def error_responses(*status_codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries for the given error statuses, all with the `ErrorBody` shape."""
    return {
        code: ResponseSpec(data_container=ErrorBody, description=_ERROR_MEANINGS[code], generate_examples=False)
        for code in status_codes
    }
