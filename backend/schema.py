"""The OpenAPI schema's error answers, added to every operation in one place.

Every operation can be refused for the caller (401, 403), the object (404), the
rate (429) or a passing outage (503); any can get bad input (400 with `errors`);
writes can break a business rule (409 with `code`) or send too much (413). The
views' own `extend_schema` answers are kept where they say more.
"""

PROBLEM = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Machine-readable reason."},
        "detail": {"type": "string", "description": "The reason in words."},
    },
    "required": ["code", "detail"],
}
SCHEMAS = {
    "Problem": PROBLEM,
    "ValidationProblem": {
        **PROBLEM,
        "properties": {
            **PROBLEM["properties"],
            "errors": {
                "type": "object",
                "description": "Field name (or `non_field_errors`) to its messages.",
                "additionalProperties": {},
            },
        },
        "required": ["code", "detail", "errors"],
    },
    # A broken business rule adds what a client needs to recover (quantities, lines...).
    "Conflict": {**PROBLEM, "additionalProperties": True},
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
ANSWERS = {
    "400": ("ValidationProblem", "The request is not valid; `errors` says why, by field."),
    "401": ("Problem", "No credentials, or bad or expired ones."),
    "403": ("Problem", "The caller may not do this."),
    "404": ("Problem", "No such route or object, or not one the caller may see."),
    "409": ("Conflict", "A business rule refused it; `code` says which."),
    "413": ("Problem", "The request body is too large."),
    "429": ("Problem", "Too many requests; try again after `Retry-After` seconds."),
    "503": ("Problem", "Unavailable for a moment; try again after `Retry-After` seconds."),
}
WRITE_ONLY = {"409", "413"}
WRITES = {"post", "put", "patch", "delete"}


def _answer(component: str, description: str, status: str) -> dict:
    answer = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }
    if status in {"429", "503"}:
        answer["headers"] = RETRY_AFTER
    return answer


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: error components and answers everywhere."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (component, description) in ANSWERS.items():
                if status in WRITE_ONLY and method not in WRITES:
                    continue
                operation["responses"].setdefault(status, _answer(component, description, status))
    return result
