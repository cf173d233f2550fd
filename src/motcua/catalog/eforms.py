"""E-forms (tờ khai điện tử) as JSON Schema, and the rules every schema of the catalogue follows.

A form schema is a JSON Schema (draft 2020-12) object. Each field (property, at every
depth) carries:
- `title`: the Vietnamese label shown next to the input (required);
- `description`: plain-language help (optional);
- `examples`: at least one value, the first of which validates against the field — tests
  and demos submit them (contract.md);
- `x-prefill`: optional, where the value is pre-filled from ("declare only once"), one of
  `PREFILL_SOURCES`.

`check_form_schema` returns every problem as (path, message) so an import or the admin can
name the field; `form_example` builds a submission from the first examples.

Field order: PostgreSQL stores JSON as jsonb, which does not keep the keys' order, so every
object schema also carries `x-order`, the list of its fields in the order people fill them
(`with_field_order`, applied where schemas are written), and code walks the fields with
`form_properties`, never by iterating `properties` itself.
"""

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

# Where a field's value may be pre-filled from: the verified account's profile, or the
# national databases reached through the integrations layer.
PREFILL_SOURCES: dict[str, str] = {
    "profile.name": "Tài khoản đã xác thực: họ và tên / tên tổ chức",
    "profile.id_number": "Tài khoản đã xác thực: số định danh cá nhân / mã số thuế",
    "profile.date_of_birth": "Tài khoản đã xác thực: ngày sinh",
    "profile.gender": "Tài khoản đã xác thực: giới tính",
    "profile.address": "Tài khoản đã xác thực: địa chỉ",
    "profile.phone": "Tài khoản đã xác thực: số điện thoại",
    "profile.email": "Tài khoản đã xác thực: thư điện tử",
    "profile.representative_name": "Tài khoản đã xác thực: người đại diện theo pháp luật",
    "population_db.full_name": "Cơ sở dữ liệu quốc gia về dân cư: họ và tên",
    "population_db.date_of_birth": "Cơ sở dữ liệu quốc gia về dân cư: ngày sinh",
    "population_db.gender": "Cơ sở dữ liệu quốc gia về dân cư: giới tính",
    "population_db.ethnicity": "Cơ sở dữ liệu quốc gia về dân cư: dân tộc",
    "population_db.nationality": "Cơ sở dữ liệu quốc gia về dân cư: quốc tịch",
    "population_db.hometown": "Cơ sở dữ liệu quốc gia về dân cư: quê quán",
    "population_db.permanent_address": "Cơ sở dữ liệu quốc gia về dân cư: nơi thường trú",
    "population_db.current_address": "Cơ sở dữ liệu quốc gia về dân cư: nơi ở hiện tại",
    "population_db.household_head": "Cơ sở dữ liệu quốc gia về dân cư: chủ hộ",
    "population_db.marital_status": "Cơ sở dữ liệu quốc gia về dân cư: tình trạng hôn nhân",
    "business_registry.name": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp: tên doanh nghiệp",
    "business_registry.tax_code": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp: mã số doanh nghiệp",
    "business_registry.address": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp: địa chỉ trụ sở",
    "business_registry.representative": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp: người đại diện",
}


def _check_field(name: str, field: Any, path: str, problems: list[tuple[str, str]]) -> None:
    where = f"{path}.{name}" if path else name
    if not isinstance(field, dict):
        problems.append((where, "mỗi trường phải là một đối tượng JSON Schema"))
        return
    if not str(field.get("title", "")).strip():
        problems.append((where, "thiếu nhãn tiếng Việt (title)"))
    prefill = field.get("x-prefill")
    if prefill is not None and prefill not in PREFILL_SOURCES:
        problems.append((where, f"nguồn điền sẵn “{prefill}” không có trong danh sách cho phép"))
    examples = field.get("examples")
    if not isinstance(examples, list) or not examples:
        problems.append((where, "thiếu giá trị ví dụ (examples)"))
    else:
        validator = Draft202012Validator(field)
        for index, example in enumerate(examples):
            for error in validator.iter_errors(example):
                problems.append((f"{where}.examples[{index}]", f"ví dụ không hợp lệ: {error.message}"))
    if field.get("type") == "object":
        _check_properties(field, where, problems)
    items = field.get("items")
    if field.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object":
        _check_properties(items, f"{where}[]", problems)


def _check_properties(schema: dict[str, Any], path: str, problems: list[tuple[str, str]]) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        problems.append((path or "form_schema", "tờ khai phải có ít nhất một trường (properties)"))
        return
    for name, field in properties.items():
        _check_field(name, field, path, problems)
    for name in schema.get("required", []):
        if name not in properties:
            problems.append((f"{path}.{name}" if path else name, "trường bắt buộc nhưng không được khai báo"))


def check_form_schema(schema: Any) -> list[tuple[str, str]]:
    """Every problem of a form schema as (field path, Vietnamese message); [] when it is fine."""
    if schema in (None, {}):
        return [("form_schema", "thiếu tờ khai điện tử")]
    if not isinstance(schema, dict):
        return [("form_schema", "tờ khai phải là một đối tượng JSON Schema")]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [("form_schema", f"JSON Schema không hợp lệ: {exc.message}")]
    if schema.get("type") != "object":
        return [("form_schema", 'tờ khai phải có "type": "object"')]
    problems: list[tuple[str, str]] = []
    _check_properties(schema, "", problems)
    if not problems:
        example = form_example(schema)
        for error in Draft202012Validator(schema).iter_errors(example):
            problems.append(("form_schema", f"tờ khai ví dụ không hợp lệ: {error.message}"))
    return problems


def with_field_order(schema: Any) -> Any:
    """A copy of `schema` whose object schemas (at every depth) list their fields in `x-order`.

    An existing `x-order` wins (it survives storage; `properties` may not): unknown names are
    dropped and fields it misses follow in `properties` order.
    """
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        result["properties"] = {name: with_field_order(field) for name, field in properties.items()}
        result["x-order"] = [name for name, _field in form_properties(schema)]
    if isinstance(schema.get("items"), dict):
        result["items"] = with_field_order(schema["items"])
    return result


def form_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The fields of an object schema as (name, field), in the order people fill them."""
    properties = schema.get("properties") or {}
    if not isinstance(properties, dict):
        return []
    declared = schema.get("x-order")
    order = [name for name in declared if name in properties] if isinstance(declared, list) else []
    order += [name for name in properties if name not in order]
    return [(name, properties[name]) for name in order]


def form_example(schema: dict[str, Any]) -> dict[str, Any]:
    """A complete submission made of each field's first example."""
    result: dict[str, Any] = {}
    for name, field in form_properties(schema):
        if field.get("examples"):
            result[name] = field["examples"][0]
        elif field.get("type") == "object":
            result[name] = form_example(field)
    return result


def form_errors(schema: dict[str, Any], data: Any) -> dict[str, str]:
    """Errors of submitted form data, keyed by field path, each message naming the field's label."""
    errors: dict[str, str] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        path = ".".join(str(part) for part in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = f"{path}.{missing}" if path else missing
        label = _label_of(schema, path) or path or "tờ khai"
        errors.setdefault(path or "form", f"{label}: {error.message}")
    return errors


def _label_of(schema: dict[str, Any], path: str) -> str:
    node: Any = schema
    for part in path.split(".") if path else []:
        node = (node.get("properties") or {}).get(part) if isinstance(node, dict) else None
        if node is None:
            return ""
    return str(node.get("title", "")) if isinstance(node, dict) else ""
