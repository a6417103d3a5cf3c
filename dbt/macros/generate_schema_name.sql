{#
    Custom schemas are used as they are: models in staging/ land in schema `staging`, not
    `main_staging`. The star schema's home, `marts`, is part of the project's outside
    interface. Nodes without a custom schema use the target's schema (`main`).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
