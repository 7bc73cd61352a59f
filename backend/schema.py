"""The OpenAPI schema's error answers, added to every operation in one place.

Every operation can be refused for the caller (401, 403), the object (404), the
rate (429) or a passing outage (503); any can get bad input (400 with `errors`);
writes can break a business rule (409 with `code`), send too much (413) or
a body of a media type they do not read (415). The
views' own `extend_schema` answers are kept where they say more. Links say which
operation a client (or the stateful fuzzing) can call next with an answer's values.
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
    "415": ("Problem", "The request body's media type is not one this operation reads."),
    "429": ("Problem", "Too many requests; try again after `Retry-After` seconds."),
    "503": ("Problem", "Unavailable for a moment; try again after `Retry-After` seconds."),
}
WRITE_ONLY = {"409", "413", "415"}
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
    """drf-spectacular postprocessing hook: error components and answers everywhere, and links."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (component, description) in ANSWERS.items():
                if status in WRITE_ONLY and method not in WRITES:
                    continue
                operation["responses"].setdefault(status, _answer(component, description, status))
    return add_links(result)


# OpenAPI links: what a client can do next with an answer (drf-spectacular cannot
# infer them). Each row is (source operationId, status, link name, target
# operationId, {target parameter: runtime expression}). Clients and the stateful
# fuzzing (`tests/test_fuzzing.py`) follow them.
def _links(source: str, status: str, parameters: dict, **targets: str) -> list[tuple]:
    return [(source, status, name, target, parameters) for name, target in targets.items()]


_PRODUCT_ACTIONS = {
    "GetProduct": "v1_products_retrieve",
    "UpdateProduct": "v1_products_partial_update",
    "DeleteProduct": "v1_products_destroy",
    "GetBillOfMaterials": "v1_products_bom_list",
    "SetBillOfMaterials": "v1_products_bom_update",
    "GetProductStock": "v1_products_stock_retrieve",
    "ReceiveProductStock": "v1_products_stock_create",
    "ListProductImages": "v1_products_images_list",
    "AddProductImage": "v1_products_images_create",
}
_ORDER_ACTIONS = {
    "GetOrder": "v1_orders_retrieve",
    "CancelOrder": "v1_orders_cancel_create",
    "CheckOutOrder": "v1_orders_checkout_create",
}
_JOB_ACTIONS = {
    "GetJob": "v1_jobs_retrieve",
    "AcceptJob": "v1_jobs_accept_create",
    "DeclineJob": "v1_jobs_decline_create",
    "StartJob": "v1_jobs_start_create",
    "ReadyJob": "v1_jobs_ready_create",
    "HandOverJob": "v1_jobs_hand_over_create",
}
_PRODUCER_ACTIONS = {
    "GetProducer": "v1_producers_retrieve",
    "UpdateProducer": "v1_producers_partial_update",
    "ListMembers": "v1_producers_members_list",
    "AddMember": "v1_producers_members_create",
    "RotateWebhookSecret": "v1_producers_rotate_webhook_secret_create",
    "ListWebhookDeliveries": "v1_producers_webhook_deliveries_list",
}
_MATERIAL_ACTIONS = {
    "GetMaterial": "v1_materials_retrieve",
    "UpdateMaterial": "v1_materials_partial_update",
}
_MEMBER_ACTIONS = {
    "UpdateMember": "v1_producers_members_partial_update",
    "RemoveMember": "v1_producers_members_destroy",
}
_IMAGE_ACTIONS = {
    "UpdateImage": "v1_products_images_partial_update",
    "DeleteImage": "v1_products_images_destroy",
}
_FIRST = "$response.body#/results/0/"
_STOCK_WRITES = ("receipts", "adjustments", "drawdowns", "transfers")
LINKS = [
    # What was just made, then what is first in a list (the caller's own or others').
    *_links("v1_products_create", "201", {"slug": "$response.body#/slug"}, **_PRODUCT_ACTIONS),
    *_links("v1_products_list", "200", {"slug": _FIRST + "slug"}, **_PRODUCT_ACTIONS),
    *_links(
        "v1_orders_create",
        "201",
        {"number": "$response.body#/number", "token": "$response.body#/access_token"},
        **_ORDER_ACTIONS,
    ),
    *_links("v1_orders_list", "200", {"number": _FIRST + "number"}, **_ORDER_ACTIONS),
    *_links("v1_jobs_list", "200", {"id": _FIRST + "id"}, **_JOB_ACTIONS),
    *_links("v1_jobs_retrieve", "200", {"id": "$request.path.id"}, **_JOB_ACTIONS),
    *_links("v1_producers_create", "201", {"slug": "$response.body#/slug"}, **_PRODUCER_ACTIONS),
    *_links("v1_producers_list", "200", {"slug": _FIRST + "slug"}, **_PRODUCER_ACTIONS),
    *_links(
        "v1_producers_members_create",
        "201",
        {"slug": "$request.path.slug", "membership_id": "$response.body#/id"},
        **_MEMBER_ACTIONS,
    ),
    *_links(
        "v1_producers_members_list",
        "200",
        {"slug": "$request.path.slug", "membership_id": "$response.body#/0/id"},
        **_MEMBER_ACTIONS,
    ),
    *_links(
        "v1_products_images_create",
        "201",
        {"slug": "$request.path.slug", "id": "$response.body#/id"},
        **_IMAGE_ACTIONS,
    ),
    *_links("v1_materials_create", "201", {"sku": "$response.body#/sku"}, **_MATERIAL_ACTIONS),
    *_links("v1_materials_list", "200", {"sku": _FIRST + "sku"}, **_MATERIAL_ACTIONS),
    *_links(
        "v1_stock_locations_create",
        "201",
        {"code": "$response.body#/code"},
        GetStockLocation="v1_stock_locations_retrieve",
    ),
    *_links(
        "v1_stock_locations_list",
        "200",
        {"code": _FIRST + "code"},
        GetStockLocation="v1_stock_locations_retrieve",
    ),
    *_links(
        "v1_stock_movements_list",
        "200",
        {"id": _FIRST + "id"},
        GetMovement="v1_stock_movements_retrieve",
    ),
    *(
        link
        for kind in _STOCK_WRITES
        for link in [
            *_links(
                f"v1_stock_{kind}_create",
                "201",
                {"id": "$response.body#/movements/0/id"},
                GetMovement="v1_stock_movements_retrieve",
            ),
            *_links(
                f"v1_stock_{kind}_create",
                "201",
                {"material": "$response.body#/movements/0/material"},
                ListMaterialMovements="v1_stock_movements_list",
            ),
        ]
    ),
    *_links("v1_auth_token_create", "200", {}, ListTokens="v1_auth_tokens_list"),
    *_links(
        "v1_auth_token_create",
        "200",
        {"id": "$response.body#/id"},
        RevokeToken="v1_auth_tokens_destroy",
    ),
    *_links(
        "v1_auth_tokens_list",
        "200",
        {"id": "$response.body#/0/id"},
        RevokeToken="v1_auth_tokens_destroy",
    ),
]
# Fab Lab certifications: read, renew and revoke what was just granted or is first listed.
_CERTIFICATION_ACTIONS = {
    "GetCertification": "v1_certifications_retrieve",
    "RenewCertification": "v1_certifications_partial_update",
    "RevokeCertification": "v1_certifications_destroy",
}
LINKS += [
    *_links(
        "v1_certifications_create", "201", {"id": "$response.body#/id"}, **_CERTIFICATION_ACTIONS
    ),
    *_links("v1_certifications_list", "200", {"id": _FIRST + "id"}, **_CERTIFICATION_ACTIONS),
]


def add_links(result: dict) -> dict:
    """Add `LINKS` to the answers they start from; a link to a missing operation fails."""
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for source, status, name, target, parameters in LINKS:
        if source not in operations or target not in operations:
            raise ValueError(f"link {name}: no operation {source} or {target}")
        answer = operations[source]["responses"][status]
        answer.setdefault("links", {})[name] = {"operationId": target, "parameters": parameters}
    return result
