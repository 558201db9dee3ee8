"""Parse peerform plan JSON documents with checkov's terraform_plan parser.

Usage: checkov_parse.py PLAN.json... Prints one JSON line per file with the resources checkov found
and exits non-zero if checkov reports a parsing error or finds no resource in a plan that has some.
"""

import json
import sys

from checkov.terraform.plan_parser import parse_tf_plan


def main() -> int:
    failed = False
    for path in sys.argv[1:]:
        errors: dict = {}
        definitions, _lines = parse_tf_plan(path, errors)
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        expected = sum(
            1
            for change in document.get("resource_changes", [])
            if change["mode"] == "managed"
            and change["change"]["actions"] not in (["delete"], ["forget"])
        )
        found = 0 if definitions is None else len(definitions.get("resource", []))
        print(json.dumps({"file": path, "errors": errors, "resources": found, "expected": expected}))
        if errors or definitions is None or found != expected:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
