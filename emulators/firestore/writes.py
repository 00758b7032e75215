"""Applying one ``Write`` to a document: preconditions, masks, deletes and field transforms.

Semantics follow google/firestore/v1/write.proto and common.proto.
"""

from __future__ import annotations

import math
import re

from emulators.firestore import protos, values
from emulators.firestore.errors import Code, FirestoreError, invalid
from emulators.firestore.paths import format_field_path, is_prefix, parse_field_path
from emulators.firestore.store import Entry

MAX_DOCUMENT_BYTES = 1_048_576
MAX_DEPTH = 20
_RESERVED_FIELD = re.compile(r"^__.*__$")


def target_name(write) -> str:
    which = write.WhichOneof("operation")
    if which == "update":
        return write.update.name
    if which == "delete":
        return write.delete
    if which == "transform":
        return write.transform.document
    if which == "verify":
        return write.verify
    raise invalid("Write has no operation")


def apply_write(write, name: str, path: str, before: Entry | None, commit_us: int):
    """Returns ``(after, write_result)``; ``after`` is None for a delete. A ``verify``
    write only checks its precondition (the JS SDK sends one for every document a
    transaction read but did not write) and leaves the document as it was."""
    which = write.WhichOneof("operation")
    _check_precondition(write, name, before, commit_us)
    result = protos.WriteResult()
    if which == "delete":
        return None, result
    if which == "verify":
        return before, result

    if which == "update":
        update = write.update
        validate_fields(update.fields)
        if write.HasField("update_mask"):
            fields = _copy_fields(before)
            for text in write.update_mask.field_paths:
                field_path = parse_field_path(text)
                value = values.get_field(update.fields, field_path)
                if value is None:
                    values.delete_field(fields.fields, field_path)
                else:
                    values.set_field(fields.fields, field_path, value)
        else:
            fields = protos.Document()
            fields.fields.MergeFrom(update.fields)
        transforms = write.update_transforms
    else:  # transform-only write (older clients)
        fields = _copy_fields(before)
        transforms = write.transform.field_transforms

    _check_disjoint(transforms)
    for transform in transforms:
        result.transform_results.append(_apply_transform(fields.fields, transform, commit_us))

    if values.size_of_fields(fields.fields) + len(name.encode()) > MAX_DOCUMENT_BYTES:
        raise invalid(f"Document {name!r} cannot be written because its size exceeds 1 MiB")

    if before is not None and not transforms and before.doc.fields == fields.fields:
        # Unchanged documents keep their update time (write.proto: WriteResult.update_time).
        result.update_time.CopyFrom(before.doc.update_time)
        return before, result

    doc = protos.Document()
    doc.name = name
    doc.fields.MergeFrom(fields.fields)
    create_us = before.create_us if before is not None else commit_us
    set_time(doc.create_time, create_us)
    set_time(doc.update_time, commit_us)
    result.update_time.CopyFrom(doc.update_time)
    return Entry(doc, path, create_us, commit_us), result


def _copy_fields(before: Entry | None):
    copy = protos.Document()
    if before is not None:
        copy.fields.MergeFrom(before.doc.fields)
    return copy


def set_time(stamp, micros: int) -> None:
    stamp.seconds = micros // 1_000_000
    stamp.nanos = (micros % 1_000_000) * 1000


def micros_of(stamp) -> int:
    return stamp.seconds * 1_000_000 + stamp.nanos // 1000


def _check_precondition(write, name: str, before: Entry | None, commit_us: int) -> None:
    if not write.HasField("current_document"):
        return
    condition = write.current_document
    which = condition.WhichOneof("condition_type")
    if which == "exists":
        if condition.exists and before is None:
            raise FirestoreError(Code.NOT_FOUND, f"No document to update: {name}")
        if not condition.exists and before is not None:
            raise FirestoreError(Code.ALREADY_EXISTS, f"Document already exists: {name}")
    elif which == "update_time":
        wanted = micros_of(condition.update_time)
        if wanted > commit_us:
            # python-firestore system tests (test_update_document, test_document_delete):
            # production answers INVALID_ARGUMENT for an update time in the future.
            raise invalid(f"The update_time precondition for {name} is in the future")
        if before is None or before.update_us != wanted:
            raise FirestoreError(
                Code.FAILED_PRECONDITION,
                f"The document {name} does not match the required update time",
            )


def _check_disjoint(transforms) -> None:
    """Two transforms may not touch the same field. A field both in the update mask and
    in a transform is allowed (the JS SDK sends that for ``set`` with ``mergeFields`` and
    for maps holding a sentinel): the transform applies after the mask."""
    transform_paths = [parse_field_path(t.field_path) for t in transforms]
    for index, path in enumerate(transform_paths):
        for other in transform_paths[index + 1 :]:
            if is_prefix(path, other) or is_prefix(other, path):
                raise invalid(f"Field {format_field_path(path)!r} is transformed more than once")


def validate_fields(fields, depth: int = 1) -> None:
    if depth > MAX_DEPTH:
        raise invalid("Document has too many nested maps (maximum depth is 20)")
    for key, value in fields.items():
        if _RESERVED_FIELD.match(key):
            raise invalid(f"Field name {key!r} is reserved (__.*__)")
        validate_value(value, depth)


def validate_value(value, depth: int = 1, in_array: bool = False) -> None:
    which = values.kind(value)
    if which is None:
        raise invalid("Value has no value_type set")
    if which == "array_value":
        if in_array:
            raise invalid("Cannot have nested arrays; put the inner array in a map")
        for item in value.array_value.values:
            validate_value(item, depth, in_array=True)
    elif which == "map_value":
        items = values.vector_items(value)
        if items is None:
            validate_fields(value.map_value.fields, depth + 1)
        else:
            _validate_vector(value, items)
    elif which == "reference_value":
        from emulators.firestore.paths import parse_document

        parse_document(value.reference_value)
    elif which == "timestamp_value":
        seconds = value.timestamp_value.seconds
        if not -62135596800 <= seconds <= 253402300799:
            raise invalid("Timestamp out of range (0001-01-01 to 9999-12-31)")


def _validate_vector(value, items) -> None:
    """A vector (``Vector([...])`` in the Python client, ``vector()`` in the JS SDK) is a
    map of exactly ``__type__: "__vector__"`` and ``value``, an array of numbers."""
    if len(value.map_value.fields) != 2:
        raise invalid("A vector value must have only the fields '__type__' and 'value'")
    for item in items:
        if not values.is_number(item):
            raise invalid("A vector value must contain only numbers")


def _apply_transform(fields, transform, commit_us: int):
    path = parse_field_path(transform.field_path)
    which = transform.WhichOneof("transform_type")
    current = values.get_field(fields, path)
    if which == "set_to_server_value":
        if transform.set_to_server_value != protos.DocumentTransform.FieldTransform.REQUEST_TIME:
            raise invalid("Unknown server value")
        result = values.timestamp_value(commit_us)
    elif which == "increment":
        result = _increment(current, _number_operand(transform.increment, "increment"))
    elif which in ("maximum", "minimum"):
        result = _extreme(current, _number_operand(getattr(transform, which), which), which)
    elif which == "append_missing_elements":
        result = protos.Value()
        result.array_value.SetInParent()
        if current is not None and values.kind(current) == "array_value":
            result.array_value.values.extend(current.array_value.values)
        for item in transform.append_missing_elements.values:
            validate_value(item, in_array=True)
            if not values.contains(result.array_value.values, item):
                result.array_value.values.append(item)
    elif which == "remove_all_from_array":
        result = protos.Value()
        result.array_value.SetInParent()
        removed = transform.remove_all_from_array.values
        if current is not None and values.kind(current) == "array_value":
            for item in current.array_value.values:
                if not values.contains(removed, item):
                    result.array_value.values.append(item)
    else:
        raise invalid("Field transform has no transform_type")
    values.set_field(fields, path, result)
    if which in ("append_missing_elements", "remove_all_from_array"):
        return protos.Value(null_value=0)
    return result


def _number_operand(value, name: str):
    if not values.is_number(value):
        raise invalid(f"The {name} transform needs an integer or double operand")
    return value


def _increment(current, operand):
    if current is None or not values.is_number(current):
        return operand
    a, b = values.number(current), values.number(operand)
    if isinstance(a, int) and isinstance(b, int):
        return values.make_number(max(values.INT64_MIN, min(values.INT64_MAX, a + b)))
    return values.make_number(float(a) + float(b))


def _extreme(current, operand, which: str):
    """write.proto: mixed int/double takes the type of the winning operand; equal values
    (3 and 3.0, or zeros) keep the stored value; NaN wins."""
    if current is None or not values.is_number(current):
        return operand
    a, b = values.number(current), values.number(operand)
    if (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return values.make_number(math.nan)
    if a == b:
        return current
    pick_operand = b > a if which == "maximum" else b < a
    return operand if pick_operand else current
