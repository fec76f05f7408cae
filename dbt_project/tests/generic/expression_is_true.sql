{#
    Every row satisfies the boolean SQL expression: returns the rows that do not.
    (dbt_utils has the same test; the project installs no packages.)
#}
{% test expression_is_true(model, expression) %}

select * from {{ model }}
where not ({{ expression }})

{% endtest %}
