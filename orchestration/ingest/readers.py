"""SQL that turns one landing file into typed rows, each with its first problem if any.

Every reader yields the same relation — `_line_no, _first_line, _row_text, _malformed` and
one varchar field per producer column — so what follows (dialect decoding, typing, duplicate
and parse checks) is written once for all formats.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.ingest.contract import Column, Dialect, SourceContract
from orchestration.sql import identifier as quote
from orchestration.sql import literal

# DuckDB-side helpers for the parse step. Temporary: they live only on the ingest connection.
PARSE_MACROS = """
-- Every text value in NFC: a letter with its diacritics composed is one character, so the
-- same words compare equal however the producer's software spelt them.
create or replace temp macro rw_text(v) as nullif(trim(nfc_normalize(v)), '');
create or replace temp macro rw_timestamp(v) as coalesce(
    -- ISO 8601 with an offset: to Vietnam local time (UTC+07:00, no daylight saving).
    make_timestamp(epoch_us(try_strptime(v, ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z',
        '%Y-%m-%d %H:%M:%S%z'])) + 25200000000),
    make_timestamp(epoch_us(try_strptime(v, ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ']))
        + 25200000000),
    try_strptime(v, ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M',
        '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%Y-%m-%d', '%d/%m/%Y']));
create or replace temp macro rw_date(v) as cast(coalesce(
    try_strptime(v, ['%Y-%m-%d', '%d/%m/%Y', '%d-%m-%Y']),
    rw_timestamp(v)) as date);
-- Thousands separators ('1.234.567', '1,234,567', '1 234 567') are dropped before casting.
create or replace temp macro rw_number_text(v) as case
    when regexp_full_match(replace(v, ' ', ''), '-?\\d{1,3}([.,]\\d{3})+')
        then regexp_replace(replace(v, ' ', ''), '[.,]', '', 'g')
    else replace(v, ' ', '') end;
create or replace temp macro rw_boolean(v) as case lower(v)
    when 'có' then true when 'không' then false when 'x' then true
    else try_cast(v as boolean) end;
-- Age in 5-year bands on the day the two-tier government started: enough for the
-- early-retirement analysis, not enough to single anyone out.
create or replace temp macro rw_age_band(d) as case when d is not null then
    (date_diff('year', d, date '2025-07-01') // 5 * 5)::varchar || '-'
    || (date_diff('year', d, date '2025-07-01') // 5 * 5 + 4)::varchar end;
"""

# Characters that show as nothing: format (Cf: zero-width space and joiners, byte-order mark,
# bidirectional marks, soft hyphen) and control characters, and the blank fillers.
INVISIBLE = r"[\p{Cf}\p{Cc}\x{034F}\x{115F}\x{1160}\x{3164}\x{FFA0}]"

# The longest line a landing file may hold (DuckDB's own default, stated here so it is one
# rule): a longer line is quarantined as `line_too_long` and the rest of the file is read.
MAX_LINE_BYTES = 2_000_000

TYPED = {
    "varchar": "{v}",
    "timestamp": "rw_timestamp({v})",
    "date": "rw_date({v})",
    "integer": "try_cast(rw_number_text({v}) as integer)",
    "amount": "try_cast(rw_number_text({v}) as bigint)",
    "decimal": "try_cast(rw_number_text({v}) as double)",
    "boolean": "rw_boolean({v})",
}

EXPECTED = {
    "timestamp": "a date-time (ISO 8601 with offset, or dd/mm/yyyy HH:MM)",
    "date": "a date (yyyy-mm-dd or dd/mm/yyyy)",
    "integer": "a whole number",
    "amount": "an amount in VND",
    "decimal": "a number",
    "boolean": "true or false",
}


@dataclass(frozen=True)
class FileRead:
    """How DuckDB reads files of one layout: format, paths, producer fields.

    Files of the same layout are read in one statement (per-file overhead dominates small
    files); `_file` tells their rows apart and line numbers restart in each."""

    fmt: str  # "csv" or "jsonl"
    paths: tuple[str, ...]
    encoding: str
    fields: tuple[str, ...]
    rejects_table: str = "rw_rejects"
    delimiter: str = ","

    @property
    def path_list(self) -> str:
        return "[" + ", ".join(literal(p) for p in self.paths) + "]"


def numbered(sql: str, first_line: int, text: str | None = None) -> str:
    """Physical line numbers per file. DuckDB scans files in list order and rows in file
    order (insertion order is preserved), so a running number minus the file's first one
    counts lines; `row_number() over ()` without ORDER BY follows that scan order.

    With `text` (the column holding the row as sent), also `_first_line`: for a row whose
    text appears more than once in its file, the first line holding it (null otherwise).
    Found here, on the narrow scan DuckDB buffers anyway for the numbering, and not on the
    wide rows the parse makes of it: buffering those a second time for the aggregate was
    ~40 % of the parse (measured at 10×). Exact repeats by aggregation, not a window: a
    hash aggregate over the text is several times cheaper than partitioning every row."""
    if text is None:
        repeats, first, join = "", "", ""
    else:
        repeats = f""",
        repeats as (
            select _file, {text}, min(_rn) as _first_rn
            from scanned
            group by _file, {text}
            having count(*) > 1)"""
        first = f", _first_rn - _start + {first_line} as _first_line"
        join = f" left join repeats using (_file, {text})"
    return f"""
        with scanned as (select row_number() over () as _rn, * from ({sql})),
        starts as (select _file, min(_rn) as _start from scanned group by _file){repeats}
        select scanned.* exclude (_rn), _rn - _start + {first_line} as _line_no{first}
        from scanned join starts using (_file){join}"""


def rejects_options(read: FileRead) -> str:
    """Lines DuckDB cannot take (too long, wrong field count) go to the rejects table with
    their line number instead of failing the statement (`parse.absorb_rejects`)."""
    return f"""ignore_errors = true, store_rejects = true,
            rejects_table = {literal(read.rejects_table)},
            rejects_scan = {literal(read.rejects_table + "_scan")},
            max_line_size = {MAX_LINE_BYTES}"""


def lines_sql(read: FileRead, strict: bool = True, repeats: bool = False) -> str:
    """Every physical line as one varchar, numbered: the base of JSON and whole-file reads;
    with `repeats`, each repeated line's first occurrence too (`numbered`).

    Strict reading refuses a file whose line endings are mixed; a whole-file quarantine
    reads it leniently, since it exists to keep the lines of files that cannot be parsed."""
    lenient = "" if strict else "strict_mode = false, "
    return numbered(
        f"""
        select line, filename as _file
        from read_csv({read.path_list}, columns = {{'line': 'VARCHAR'}}, header = false,
            delim = '\\x01', quote = '', escape = '', auto_detect = false, filename = true,
            {lenient}{rejects_options(read)}, encoding = {literal(read.encoding)})""",
        first_line=1,
        text="line" if repeats else None,
    )


def jsonl_reader_sql(read: FileRead) -> str:
    """One JSON parse per line: every field extracted at once as a list, then unpacked."""
    paths = "[" + ", ".join(literal("$." + quote(f)) for f in read.fields) + "]"
    fields = ",\n".join(f"_values[{i}] as {quote(f)}" for i, f in enumerate(read.fields, 1))
    return f"""
        select _file, _line_no, _first_line, line as _row_text,
            case when _json is null then 'the line is not valid JSON (truncated or corrupted)'
            end as _malformed,
            {fields}
        from (
            select *, json_extract_string(_json, {paths}) as _values
            from (
                select _file, _line_no, _first_line, line,
                    case when json_valid(line) and json_type(line) = 'OBJECT' then line end
                    as _json
                from ({lines_sql(read, repeats=True)})))"""


def csv_reader_sql(read: FileRead, header: list[str]) -> str:
    """Good CSV rows numbered by record (line = record + 1 for the header); rows DuckDB
    rejects (wrong field count, bad quoting) go to the rejects table with their line.

    The header was read in Python, so DuckDB is told the layout instead of sniffing it (a
    sniffer guesses wrong on the ragged files this reader exists for); columns are named by
    position, which also survives blank or repeated header names."""
    position = {name: f"c{i}" for i, name in reversed(list(enumerate(header, 1)))}
    layout = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, len(header) + 1)) + "}"
    fields = ",\n".join(
        f"{position[f]} as {quote(f)}" if f in position else f"null::varchar as {quote(f)}"
        for f in read.fields
    )
    row_text = (
        "concat_ws(',', "
        + ", ".join(f"coalesce({position[f]}, '')" for f in read.fields if f in position)
        + ")"
    )
    return numbered(
        f"""
        select filename as _file, {row_text} as _row_text, null::varchar as _malformed,
            {fields}
        from read_csv({read.path_list}, columns = {layout}, header = true,
            auto_detect = false, delim = {literal(read.delimiter)}, quote = '"',
            escape = '"', null_padding = false, filename = true, {rejects_options(read)},
            encoding = {literal(read.encoding)})""",
        first_line=2,
        text="_row_text",
    )


def producer_expression(column: Column, dialect: Dialect, fields: set[str]) -> str:
    """The contract column as varchar, from whatever the producer called or coded it."""
    if column.name in dialect.expressions:
        return dialect.expressions[column.name]
    inverse = {v: k for k, v in dialect.renames.items()}
    field = inverse.get(column.name, column.name)
    return quote(field) if field in fields else "null::varchar"


def parsed_sql(
    contract: SourceContract,
    dialect: Dialect,
    reader_sql: str,
    fields: set[str],
    layout_key: str,
) -> str:
    """Typed contract columns plus the row's first problem (code, column, readable detail);
    `layout_key` names the layout `rw_excerpt` reads a malformed line with."""
    texts = ",\n".join(
        f"rw_text({producer_expression(c, dialect, fields)}) as {quote(c.name + '__text')}"
        for c in contract.columns
    )
    typed = ",\n".join(_typed_column(c) for c in contract.stored_columns)
    problems = (
        [
            "when _malformed is not null then {'code': 'malformed_line', 'column': null, "
            "'detail': _malformed}",
            "when _first_line < _line_no then {'code': 'duplicate_row', 'column': null, "
            "'detail': null}",
        ]
        + [_invisible_case(c) for c in contract.columns if c.code]
        + [_unparseable_case(c) for c in contract.columns if c.kind != "varchar" and not c.personal]
    )
    record = _record_json(contract, layout_key)
    return f"""
        with fields as (
            select _file, _line_no, _first_line, _row_text, _malformed,
                {texts}
            from ({reader_sql})
        ),
        typed as (
            select fields.*,
                {typed}
            from fields
        ),
        judged as (
            select *, case {" ".join(problems)} end as _problem
            from typed
        )
        select * exclude (_row_text, _malformed, _problem, {_text_columns(contract)}),
            _problem.code as _problem_code,
            _problem."column" as _problem_column,
            _problem.detail as _problem_detail,
            case when _problem is not null then {record} end as _record
        from judged"""


def _typed_column(column: Column) -> str:
    text = quote(column.name + "__text")
    if column.personal == "pseudonymise":
        return f"rw_pseudonym({text}) as {quote(column.raw_name)}"
    if column.personal == "age_band":
        return f"rw_age_band(rw_date({text})) as {quote(column.raw_name)}"
    return f"{TYPED[column.kind].format(v=text)} as {quote(column.raw_name)}"


def _unparseable_case(column: Column) -> str:
    text = quote(column.name + "__text")
    expected = literal(" is not " + EXPECTED[column.kind])
    detail = f"{literal(column.name + ': ')} || {text} || {expected}"
    return (
        f"when {text} is not null and {quote(column.raw_name)} is null then "
        f"{{'code': 'unparseable', 'column': {literal(column.name)}, 'detail': {detail}}}"
    )


def _invisible_case(column: Column) -> str:
    """A code holding a character that shows as nothing (format or control characters,
    zero-width and invisible fillers) is refused, named by its code point."""
    text = quote(column.name + "__text")
    found = f"regexp_extract({text}, {literal(INVISIBLE)})"
    detail = (
        f"{literal(column.name + ': ')} || regexp_replace({text}, {literal(INVISIBLE)}, '?', 'g')"
        f" || ' holds an invisible character (' || printf('U+%04X', unicode({found})) || ')'"
    )
    return (
        f"when regexp_matches({text}, {literal(INVISIBLE)}) then "
        f"{{'code': 'invisible_character', 'column': {literal(column.name)}, 'detail': {detail}}}"
    )


def _text_columns(contract: SourceContract) -> str:
    return ", ".join(quote(c.name + "__text") for c in contract.columns)


def _record_json(contract: SourceContract, layout_key: str) -> str:
    """The row as the producer sent it, personal fields already pseudonymised."""
    parts = ", ".join(
        f"{literal(c.raw_name)}: " + (quote(c.raw_name) if c.personal else quote(c.name + "__text"))
        for c in contract.stored_columns
    )
    # A malformed line's fields cannot be told apart: `rw_excerpt` (excerpt.py) keeps only
    # what the contract vouches for.
    return (
        f"case when _malformed is not null then rw_excerpt(_row_text, {layout_key})::json "
        f"else to_json({{{parts}}}) end"
    )
