"""Run a coroutine to completion in a thread of its own, whatever event loop an earlier test left
running in the main thread (asyncio.run refuses to start inside one)."""
import asyncio
import threading


def run_async(coroutine, timeout: float = 60):
    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # noqa: B902 - raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"the coroutine did not finish in {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
