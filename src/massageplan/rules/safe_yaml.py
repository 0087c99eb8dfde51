"""Safe YAML parsing that remembers where every key and value came from.

Only the safe loader's scalar types are built; any other tag
(``!!python/object`` and friends) is an error and is never run. Aliases are
expanded with a budget, so an alias bomb is refused quickly instead of
eating memory; nesting and size have limits too (``model.limits``). Every error,
whatever PyYAML raised, is a RulebaseError naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..model.errors import Problem, RulebaseError
from ..model.limits import MAX_ALIAS_NODES, MAX_DEPTH, MAX_NUMBER_DIGITS, MAX_YAML_NODES
from .positions import Document, KeyPath, Mark, format_key_path

# libyaml's parser where PyYAML was built with it: the same safe constructor,
# the same errors and marks, several times faster on large rule files.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_COLLECTION_TAGS: dict[type[yaml.Node], str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:  # or CSafeLoader
        self.path = path
        self.loader = loader
        self.values: dict[KeyPath, Mark] = {}
        self.keys: dict[KeyPath, Mark] = {}
        self.distinct: set[int] = set()
        self.again = 0  # nodes built a second time, through an alias

    def fail(self, message: str, node: yaml.Node, key_path: KeyPath) -> RulebaseError:
        mark = _mark(node)
        return RulebaseError(
            [
                Problem(
                    message,
                    self.path,
                    mark.line,
                    mark.column,
                    format_key_path(key_path),
                    kind="file",
                )
            ]
        )

    def build(self, node: yaml.Node, key_path: KeyPath, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep", node, key_path)
        if id(node) in self.distinct:
            self.again += 1
            if self.again > MAX_ALIAS_NODES:
                raise self.fail(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes", node, key_path
                )
        else:
            self.distinct.add(id(node))
        self.values.setdefault(key_path, _mark(node))
        expected = _COLLECTION_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            raise self.fail(
                f"YAML tag {node.tag!r} is not allowed (only plain YAML is read)", node, key_path
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(child, (*key_path, i), depth + 1) for i, child in enumerate(node.value)
            ]
        if not isinstance(node, yaml.ScalarNode):  # pragma: no cover - yaml has three node kinds
            raise self.fail("unsupported YAML node", node, key_path)
        if len(node.value) > MAX_NUMBER_DIGITS and node.tag.endswith((":int", ":float")):
            # int() of thousands of digits is refused (or slow): say so, never a traceback.
            raise self.fail(f"a number of more than {MAX_NUMBER_DIGITS} digits", node, key_path)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise self.fail(_tag_message(exc, node), node, key_path) from None
        except ValueError as exc:  # a number the constructor cannot make
            raise self.fail(f"not a number this reader can take: {exc}", node, key_path) from None

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail("YAML merge keys (<<) are not supported", key_node, key_path)
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail("a mapping key must be plain text", key_node, key_path)
            key = self.build(key_node, (*key_path, "<key>"), depth + 1)
            if isinstance(key, bool | int | float) or key is None:
                # YAML reads `yes`, `1` or `null` as non-strings; keys here are names.
                key = key_node.value
            if not isinstance(key, str):
                raise self.fail("a mapping key must be plain text", key_node, key_path)
            child = (*key_path, key)
            if key in result:
                raise self.fail(f"duplicate key {key!r}", key_node, child)
            self.keys[child] = _mark(key_node)
            result[key] = self.build(value_node, child, depth + 1)
        self.values.pop((*key_path, "<key>"), None)
        return result


def _tag_message(exc: yaml.constructor.ConstructorError, node: yaml.Node) -> str:
    if exc.problem and "constructor for the tag" in exc.problem:
        return f"YAML tag {node.tag!r} is not allowed (only plain YAML is read)"
    return f"cannot read this value: {exc.problem}"


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


def _count_nodes(text: str, path: Path) -> None:
    """Refuse a document of more than MAX_YAML_NODES nodes before composing it.

    Composing keeps every node in memory (about 400 bytes each); the events
    stream past, so a file that is nothing but tiny nodes is refused in a tenth
    of the time and memory composing it would take."""
    events = SafeLoader(text)
    try:
        count = 0
        while events.check_event():
            event = events.get_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_YAML_NODES:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    message = f"the document has more than {MAX_YAML_NODES} nodes"
                    raise RulebaseError([Problem(message, path, line, kind="file")])
    finally:
        events.dispose()


def parse_yaml(raw: bytes, path: Path) -> Document:
    """Parse YAML bytes (UTF-8) safely, keeping positions; ``path`` names them in errors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bom = " (UTF-16? save it as UTF-8)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise RulebaseError(
            [
                Problem(
                    f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}){bom}",
                    path,
                    line,
                    kind="file",
                )
            ]
        ) from None
    loader: yaml.SafeLoader | None = None
    try:
        # The reader checks every character as the loader is made: inside the try.
        text = text.removeprefix("\ufeff")
        _count_nodes(text, path)
        loader = SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return Document(path, None, {}, {})
        builder = _Builder(path, loader)
        data = builder.build(node, ())
        return Document(path, data, builder.values, builder.keys)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise RulebaseError(
            [
                Problem(
                    message,
                    path,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    kind="file",
                )
            ]
        ) from None
    except yaml.reader.ReaderError as exc:
        where = text[: exc.position].count("\n") + 1
        character = (
            f"character 0x{exc.character:02x}" if isinstance(exc.character, int) else "a character"
        )
        raise RulebaseError(
            [
                Problem(
                    f"{character} that YAML does not allow (binary data?)", path, where, kind="file"
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise RulebaseError([Problem(f"YAML error: {exc}", path, kind="file")]) from None
    except RecursionError:
        raise RulebaseError(
            [Problem(f"nested more than {MAX_DEPTH} levels deep", path, kind="file")]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
