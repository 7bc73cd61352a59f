"""The pages every network member shares: the job board, stock, the store, reports."""

from tests.frontend.workbench_matrix import OK, SIGN_IN, coop_page, network_page, roles

ROWS = {
    ("workbench:home", "get", "-"): network_page(),
    ("workbench:stock", "get", "-"): network_page(),
    ("workbench:store", "get", "-"): network_page(),
    ("workbench:report", "get", "-"): network_page(),
    ("workbench:deliveries", "get", "-"): network_page(),
    ("workbench:coops", "get", "-"): network_page(),
    # Only Fab Lab staff keep the shared store's books.
    ("workbench:store-drawdown", "post", "-"): network_page(),
    ("workbench:store-receipt", "post", "-"): roles(SIGN_IN, 403, 403, 403, OK, OK),
    ("workbench:store-count", "post", "-"): roles(SIGN_IN, 403, 403, 403, OK, OK),
    # Jobs are every member's work: the job's co-op moves it, nobody else sees it.
    **coop_page("workbench:job-action", methods=("post",), members_change=True),
    **coop_page("workbench:coop", methods=("get",)),
}


def prepare(side):
    side.board_job = side.new_job()


def kwargs(name, side):
    if name == "workbench:job-action":
        return {"pk": side.board_job.pk, "action": "accept"}
    return {}


def body(name, side):
    """`side` is co-op A for the "-" rows: the store's forms draw down for it."""
    shelf = {"material": side.world.material.pk, "location": side.world.shared.pk}
    if name == "workbench:store-drawdown":
        shelf |= {"quantity": "1", "producer": side.producer.pk, "reason": "A job"}
        return {f"drawdown-{key}": value for key, value in shelf.items()}
    if name == "workbench:store-receipt":
        shelf |= {"quantity": "1", "reason": "Delivery"}
        return {f"receipt-{key}": value for key, value in shelf.items()}
    if name == "workbench:store-count":
        shelf |= {"quantity": "20", "reason": "Monthly count"}
        return {f"count-{key}": value for key, value in shelf.items()}
    return {}
