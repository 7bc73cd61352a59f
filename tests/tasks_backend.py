"""A task backend for the test suite that runs tasks when production's worker would.

Production uses `django_tasks_db.DatabaseBackend`: `enqueue()` writes a row in the
caller's transaction, so a task exists only once that transaction commits (and
never if it rolls back), and a worker runs it afterwards, outside the caller's
transaction and locks. `ImmediateBackend` instead runs the task inside the
caller's transaction, with its row locks held, and swallows its exceptions.

`AfterCommitBackend` behaves like production, synchronously:

- outside any transaction, the task runs at once;
- inside a transaction, it runs right after the outermost atomic block commits,
  and never if that block (or the savepoint it was enqueued in) rolls back;
- a task's exception propagates to whoever committed, so the test sees it;
- a task with `run_after` in the future is kept, not run; `run_deferred_tasks()`
  runs the kept tasks that are due.

The pitfall is pytest-django's non-transactional tests: they wrap each test in
atomic blocks that are rolled back at the end, so `transaction.on_commit` never
fires. Django marks those blocks (`Atomic._from_testcase`), so the backend
treats them as "no transaction": the outermost block that is *not* the test's
own stands in for the transaction. Tasks enqueued under it are registered with
`connection.on_commit` (so a savepoint rollback discards them, exactly as Django
discards any on-commit callback) and tagged with that block; a small wrapper
around `Atomic.__exit__`, installed when the backend is created, runs the
tagged callbacks once that block exits successfully, and drops them if it rolls
back. In `transaction=True` tests there is no test block and Django's own commit
runs the callbacks.
"""

import datetime
import functools
import threading
from traceback import format_exception

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskContext, TaskError, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json

_lock = threading.Lock()
# Shared by every thread's backend instance (Django keeps one per thread).
_deferred: list[TaskResult] = []
_results: dict[str, TaskResult] = {}


class _RunTask:
    """An on-commit callback that runs one task once the atomic block `block`, at `depth`
    in the connection's stack of blocks, commits. The depth tells apart two uses of one
    `Atomic` object (a decorated function calling itself)."""

    def __init__(self, backend: "AfterCommitBackend", result: TaskResult, block, depth: int):
        self.backend = backend
        self.result = result
        self.block = block
        self.depth = depth

    def __call__(self):
        self.backend.dispatch(self.result)


def _real_block(connection):
    """The outermost atomic block that is not the test case's own and its depth, or None."""
    for depth, block in enumerate(connection.atomic_blocks):
        if not block._from_testcase:
            return block, depth
    return None


def _install_exit_hook() -> None:
    """Run the tasks waiting for a block nested in the test's own blocks when it commits."""
    atomic_class = transaction.Atomic
    if getattr(atomic_class.__exit__, "_runs_tasks", False):
        return
    original_exit = atomic_class.__exit__

    @functools.wraps(original_exit)
    def exit_and_run_tasks(self, exc_type, exc_value, traceback):
        connection = transaction.get_connection(self.using)
        depth = len(connection.atomic_blocks) - 1
        committing = (
            exc_type is None
            and not connection.needs_rollback
            and not connection.closed_in_transaction
        )
        try:
            outcome = original_exit(self, exc_type, exc_value, traceback)
        except BaseException:
            _take_waiting(connection, self, depth)
            raise
        waiting = _take_waiting(connection, self, depth)
        if committing and not connection.needs_rollback:
            _run_all(waiting)
        return outcome

    exit_and_run_tasks._runs_tasks = True
    atomic_class.__exit__ = exit_and_run_tasks


def _take_waiting(connection, block, depth: int) -> list[_RunTask]:
    """Remove and return the task callbacks waiting for `block`, in the order registered."""
    taken = []
    kept = []
    for entry in connection.run_on_commit:
        func = entry[1]
        if isinstance(func, _RunTask) and func.block is block and func.depth == depth:
            taken.append(func)
        else:
            kept.append(entry)
    if taken:
        connection.run_on_commit = kept
    return taken


def _run_all(callbacks) -> None:
    """Run every callback; then raise the first error, noting any others."""
    errors = []
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:
            errors.append(exc)
    if errors:
        first = errors[0]
        for other in errors[1:]:
            first.add_note(f"Another task failed too: {other!r}")
        raise first


class AfterCommitBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = True

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self.database = self.options.get("DATABASE", DEFAULT_DB_ALIAS)
        self.worker_id = get_random_string(32)
        _install_exit_hook()

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        with _lock:
            _results[result.id] = result
        task_enqueued.send(type(self), task_result=result)
        connection = connections[self.database]
        waiting_for = _real_block(connection) if connection.in_atomic_block else (None, -1)
        if waiting_for is None:
            # Only the test case's own blocks: as good as autocommit.
            self.dispatch(result)
        else:
            # Django runs it after a real commit (or at once in autocommit); the exit
            # hook runs it when the block commits inside the test case's blocks.
            connection.on_commit(_RunTask(self, result, *waiting_for))
        return result

    def dispatch(self, result: TaskResult) -> None:
        """The transaction committed: run the task now, or keep it until `run_after`."""
        run_after = result.task.run_after
        if run_after is not None and run_after > timezone.now():
            with _lock:
                _deferred.append(result)
            return
        self.run(result)

    def run(self, result: TaskResult) -> None:
        """Run one task as a worker would, recording the outcome; its exception propagates."""
        task = result.task
        started = timezone.now()
        object.__setattr__(result, "status", TaskResultStatus.RUNNING)
        object.__setattr__(result, "started_at", started)
        object.__setattr__(result, "last_attempted_at", started)
        result.worker_ids.append(self.worker_id)
        task_started.send(sender=type(self), task_result=result)
        try:
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
        except BaseException as exc:
            object.__setattr__(result, "finished_at", timezone.now())
            kind = type(exc)
            result.errors.append(
                TaskError(
                    exception_class_path=f"{kind.__module__}.{kind.__qualname__}",
                    traceback="".join(format_exception(exc)),
                )
            )
            object.__setattr__(result, "status", TaskResultStatus.FAILED)
            task_finished.send(type(self), task_result=result)
            raise
        object.__setattr__(result, "_return_value", normalize_json(value))
        object.__setattr__(result, "finished_at", timezone.now())
        object.__setattr__(result, "status", TaskResultStatus.SUCCESSFUL)
        task_finished.send(type(self), task_result=result)

    def get_result(self, result_id):
        try:
            return _results[result_id]
        except KeyError:
            raise TaskResultDoesNotExist(result_id) from None


def deferred_tasks() -> list[TaskResult]:
    """The tasks kept for later, soonest first."""
    with _lock:
        return sorted(_deferred, key=lambda result: result.task.run_after)


def run_deferred_tasks(*, now: datetime.datetime | None = None) -> list[TaskResult]:
    """Run the kept tasks whose `run_after` is at or before `now` (default: the current time).

    Only tasks kept before the call run: one that schedules itself again (housekeeping)
    is kept for the next call instead of looping. Returns the tasks it ran.
    """
    now = now or timezone.now()
    with _lock:
        due = sorted(
            (result for result in _deferred if result.task.run_after <= now),
            key=lambda result: result.task.run_after,
        )
        for result in due:
            _deferred.remove(result)
    callbacks = [functools.partial(task_backends[r.backend].run, r) for r in due]
    _run_all(callbacks)
    return due


def forget_tasks() -> None:
    """Drop kept tasks and results, so one test's tasks never reach the next."""
    with _lock:
        _deferred.clear()
        _results.clear()
