"""The loop the bench's long-lived Python helpers share: one JSON request per stdin line, one JSON
answer per stdout line; an exception is reported as {"error": ...} and the process keeps serving."""
import json
import sys


def serve(handle):
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as exc:  # report, keep serving: the caller decides whether to stop
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
