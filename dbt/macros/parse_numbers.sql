{#
    Raw cells are text exactly as received. These macros read them the way the audit
    (warehouse/values.py) does, so a row the audit published always parses here:
    - text is trimmed of every whitespace character Python's str.strip() removes
      (spaces, tabs, line breaks, no-break and thin spaces ...);
    - counts and money may carry thousands separators and a '£'; "12.0" is the count 12;
    - money written as Excel's accounting zero ("-", "£ -") is 0, "(0)" is 0.
    Anything else is NULL. Whether a NULL is allowed is the audit's decision (published
    rows always parse, and the not_null tests downstream prove it) and the intermediate
    layer's (a blank optional amount of money means 0).
#}

{# Code points Python's str.isspace() accepts. #}
{% macro _whitespace_code_points() -%}
    {{ return([9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760]
              + range(8192, 8203) | list
              + [8232, 8233, 8239, 8287, 12288]) }}
{%- endmacro %}

{# The whitespace characters as one SQL string, for trim(col, characters). #}
{% macro whitespace_chars() -%}
    ({% for code in _whitespace_code_points() %}chr({{ code }}){{ " || " if not loop.last }}{% endfor %})
{%- endmacro %}

{# Trimmed text, NULL when blank. #}
{% macro clean_text(col) -%}
    nullif(trim({{ col }}, {{ whitespace_chars() }}), '')
{%- endmacro %}

{# A code (phase, measure, status): trimmed and lower-cased, NULL when blank. #}
{% macro clean_code(col) -%}
    lower({{ clean_text(col) }})
{%- endmacro %}

{# The cell with '£', thousands separators and every whitespace character removed. #}
{% macro strip_number(col) -%}
    nullif(regexp_replace({{ col }}, '[£,\s\x{000B}\x{001C}-\x{001F}\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]', '', 'g'), '')
{%- endmacro %}

{# A whole-number count as BIGINT ("12.0" is 12); NULL when blank, not a number or fractional. #}
{% macro parse_count(col) -%}
    {%- set stripped = strip_number(col) -%}
    (case
        when regexp_full_match({{ stripped }}, '-?[0-9]+(\.0*)?')
            then try_cast(split_part({{ stripped }}, '.', 1) as bigint)
    end)
{%- endmacro %}

{# A money amount as DECIMAL(14, 2); NULL when blank or not a number. #}
{% macro parse_money(col) -%}
    {%- set stripped = strip_number(col) -%}
    (case
        when {{ stripped }} = '-' then cast(0 as decimal(14, 2))
        when regexp_full_match({{ stripped }}, '\(-?[0-9]+(\.[0-9]*)?\)')
            then -try_cast(trim({{ stripped }}, '()') as decimal(14, 2))
        when regexp_full_match({{ stripped }}, '-?[0-9]+(\.[0-9]*)?')
            then try_cast({{ stripped }} as decimal(14, 2))
    end)
{%- endmacro %}
