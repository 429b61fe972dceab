"""Public API breaks between a git reference and the working tree, by public name.

``griffe check`` compares objects by their path, so a class that moved from
one private module to another (``workfront_async._client.Workfront`` to
``workfront_async.classic._client.Workfront``) is compared with nothing. This
compares what users import instead: every name in ``__all__`` of each public
module at the reference is resolved, then and now, to the object it stands
for, and griffe's own checks run on each pair.

    python tools/api_breaks.py 902dd66      # exit 1 and a list when something broke
"""

from __future__ import annotations

import sys

import griffe

PACKAGE = "workfront_async"
ONE_LINE = griffe.ExplanationStyle.ONE_LINE


def public_modules(package: griffe.Module) -> list[griffe.Module]:
    """The package and its public submodules (no part of the path starts with ``_``)."""
    out = [package]
    for member in package.modules.values():
        if not member.name.startswith("_"):
            out.extend(public_modules(member))
    return out


def public_names(module: griffe.Module) -> list[str]:
    exports = module.exports
    return sorted(str(n) for n in exports) if exports else []


def resolve(module: griffe.Module, name: str) -> griffe.Object | None:
    try:
        member = module[name]
        return member.final_target if isinstance(member, griffe.Alias) else member
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def breaks(reference: str) -> list[str]:
    old = griffe.load_git(PACKAGE, ref=reference, search_paths=["."], resolve_aliases=True)
    new = griffe.load(PACKAGE, search_paths=["."], resolve_aliases=True)
    found: list[str] = []
    for old_module in public_modules(old):
        path = old_module.path
        try:
            new_module = new[path.removeprefix(f"{PACKAGE}.")] if path != PACKAGE else new
        except KeyError:
            found.append(f"{path}: the module is gone")
            continue
        for name in public_names(old_module):
            before = resolve(old_module, name)
            after = resolve(new_module, name)
            if name not in public_names(new_module) or (before is not None and after is None):
                found.append(f"{path}.{name}: no longer exported")
                continue
            if before is None or after is None or before.kind != after.kind:
                continue
            for change in griffe.find_breaking_changes(before, after):
                found.append(f"{path}.{name}: {change.explain(style=ONE_LINE)}")
    return found


def main() -> int:
    reference = sys.argv[1] if len(sys.argv) > 1 else "HEAD"
    found = breaks(reference)
    for line in found:
        print(line)
    print(f"{len(found)} public API break(s) against {reference}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
