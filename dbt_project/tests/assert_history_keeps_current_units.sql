-- dim_admin_unit_history's current rows are dim_admin_unit, unchanged, for existing users:
-- returns each unit whose current version is missing or differs, compared on every column
-- dim_admin_unit documents (read from its YAML, so a column added there is compared too).

{%- set dimension_columns = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'dim_admin_unit' %}
        {%- do dimension_columns.extend(node.columns.keys()) %}
    {%- endfor %}
{%- endif %}
{%- set columns = dimension_columns | join(', ') or 'unit_code' %}

with

current_history as (

    select {{ columns }}
    from {{ ref('dim_admin_unit_history') }}
    where is_current

),

dimension as (

    select {{ columns }}
    from {{ ref('dim_admin_unit') }}

),

missing as (

    select * from dimension
    except
    select * from current_history

),

extra as (

    select * from current_history
    except
    select * from dimension

)

select * from missing
union all
select * from extra
