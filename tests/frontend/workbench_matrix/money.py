"""A co-op's money: its members read the earnings page and its CSV downloads."""

from tests.frontend.workbench_matrix import coop_page

ROWS = {
    **coop_page("workbench:coop-earnings", methods=("get",)),
    **coop_page("workbench:coop-earnings-month-csv", methods=("get",)),
    **coop_page("workbench:coop-earnings-csv", methods=("get",)),
}
