"""A co-op's profile and settings: members look, managers change."""

from tests.frontend.workbench_matrix import coop_page

ROWS = {
    **coop_page("workbench:coop-settings"),
    **coop_page("workbench:coop-logo", methods=("post",)),
    **coop_page("workbench:coop-webhook", methods=("post",)),
    **coop_page("workbench:coop-webhook-rotate", methods=("post",)),
    **coop_page("workbench:coop-webhook-test", methods=("post",)),
}


def body(name, side):
    if name == "workbench:coop-settings":
        return {"description": "We make stools.", "opening_hours": "Tue–Sat 10 am–6 pm"}
    if name == "workbench:coop-logo":
        return {"remove": "1"}
    if name == "workbench:coop-webhook":
        return {"webhook_url": "https://hooks.example.org/jobs"}
    return {}
