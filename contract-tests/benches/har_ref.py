#!/usr/bin/env python3
"""The baseline of `cargo bench -p contract-tests --bench check`'s HAR figure.

Usage: har_ref.py REF_VALIDATE SPEC HAR

Loads ../shared/tools/ref_validate.py (REF_VALIDATE) as a module and the spec once, then checks
every HAR entry's response with its `jsonschema` engine (operation, status, media type, body
schema; the oracle has no request checks). Prints one JSON line:
{"entries": N, "seconds": S, "entries_per_s": R, "max_rss_kib": K}.
"""
import importlib.util
import json
import resource
import sys
import time
from urllib.parse import urlsplit


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    oracle_path, spec_path, har_path = sys.argv[1:]
    spec_loader = importlib.util.spec_from_file_location("ref_validate", oracle_path)
    oracle = importlib.util.module_from_spec(spec_loader)
    spec_loader.loader.exec_module(oracle)
    spec = oracle.load_spec(spec_path)
    with open(har_path, encoding="utf-8") as f:
        entries = json.load(f)["log"]["entries"]
    started = time.perf_counter()
    invalid = 0
    for e in entries:
        response = e["response"]
        ct = next(
            (h["value"] for h in response.get("headers", []) if h["name"].lower() == "content-type"),
            "application/json",
        )
        body = response.get("content", {}).get("text", "").encode()
        path = urlsplit(e["request"]["url"]).path
        errors = oracle.engine_jsonschema(
            spec, e["request"]["method"], path, response["status"], body, ct, True
        )
        invalid += bool(errors)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "entries": len(entries),
        "invalid": invalid,
        "seconds": round(seconds, 3),
        "entries_per_s": round(len(entries) / seconds, 1) if seconds else None,
        "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
