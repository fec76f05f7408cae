{#
    The given columns (or expressions) are unique together: returns each duplicated
    combination with its count.
#}
{% test unique_combination(model, columns) %}

with

grouped as (

    select
        {% for column in columns -%}
        {{ column }} as key_{{ loop.index }},
        {% endfor -%}
        count(*) as row_count
    from {{ model }}
    group by
        {% for column in columns -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor %}

)

select * from grouped
where row_count > 1

{% endtest %}
